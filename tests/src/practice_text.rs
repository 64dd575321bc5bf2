//! Deterministic, realistic-sounding text for a generated practice: people's names and
//! addresses, valid NHS numbers, and link workers' notes written the way notes are written.
//!
//! Everything comes from one seeded generator, so the same seed always gives the same
//! practice. Names and places are fictional; NHS numbers are valid by check digit only.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

pub const GIVEN_NAMES: &[&str] = &[
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Grace",
    "Freya",
    "Lily",
    "Emily",
    "Sophie",
    "Margaret",
    "Patricia",
    "Susan",
    "Linda",
    "Janet",
    "Brenda",
    "Doreen",
    "Sheila",
    "Irene",
    "Maureen",
    "Aisha",
    "Fatima",
    "Priya",
    "Anjali",
    "Zainab",
    "Chloe",
    "Megan",
    "Bethan",
    "Siobhan",
    "Niamh",
    "Agnieszka",
    "Oliver",
    "George",
    "Harry",
    "Noah",
    "Jack",
    "Leo",
    "Arthur",
    "Thomas",
    "James",
    "William",
    "David",
    "John",
    "Michael",
    "Peter",
    "Robert",
    "Keith",
    "Derek",
    "Colin",
    "Trevor",
    "Barry",
    "Mohammed",
    "Imran",
    "Ravi",
    "Sanjay",
    "Tariq",
    "Kwame",
    "Tomasz",
    "Dylan",
    "Callum",
    "Rhys",
    "Owen",
    "Declan",
    "Gareth",
    "Winston",
    "Delroy",
    "Hamza",
    "Yusuf",
    "Eilidh",
    "Morag",
    "Rosalind",
    "Gwen",
    "Hazel",
];

pub const FAMILY_NAMES: &[&str] = &[
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Thomas",
    "Clarke",
    "Jackson",
    "Wood",
    "Harris",
    "Edwards",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Hughes",
    "Moore",
    "Clark",
    "King",
    "Harrison",
    "Lewis",
    "Baker",
    "Lee",
    "Allen",
    "Morris",
    "Khan",
    "Scott",
    "Watson",
    "Davis",
    "Parker",
    "James",
    "Bennett",
    "Young",
    "Phillips",
    "Richardson",
    "Mitchell",
    "Bailey",
    "Carter",
    "Cook",
    "Singh",
    "Shaw",
    "Bell",
    "Collins",
    "Morgan",
    "Kelly",
    "Begum",
    "Miller",
    "Cox",
    "Hussain",
    "Marshall",
    "Simpson",
    "Price",
    "Anderson",
    "Adams",
    "Wilkinson",
    "Ali",
    "Ahmed",
    "Foster",
    "Ellis",
    "Murphy",
    "Chapman",
    "Mason",
    "Gray",
    "Richards",
    "Webb",
    "Griffiths",
    "Hunt",
    "Palmer",
    "Campbell",
    "Holmes",
    "Mills",
    "Rogers",
    "Barnes",
    "Knight",
    "Matthews",
    "Nowak",
    "Kowalski",
    "Okafor",
    "Mensah",
    "Achterberg",
    "Quigley",
    "Fairweather",
    "Pennington",
];

pub const STREETS: &[&str] = &[
    "Mill Lane",
    "Church Street",
    "Station Road",
    "Victoria Road",
    "Park Avenue",
    "Kings Road",
    "Queens Drive",
    "The Crescent",
    "Orchard Close",
    "Meadow View",
    "Chapel Row",
    "Foundry Way",
    "Canal Side",
    "Hawthorn Grove",
    "Beech Walk",
    "Alder Court",
    "Riverside Terrace",
    "Bridge Street",
    "Market Place",
    "Weavers Yard",
    "Cobden Street",
    "Nelson Street",
    "Gladstone Road",
    "Albion Terrace",
    "Coronation Avenue",
    "Jubilee Close",
    "Ash Grove",
];

pub const TOWN: &str = "Ashbridge";

const POSTCODE_DISTRICTS: &[&str] = &["AB1", "AB2", "AB3", "AB4", "AB5", "AB7", "AB9"];

/// What matters, barriers and plans: the fragments notes are composed from. Common words
/// recur across many notes; a few rare ones (in `RARE_DETAILS`) appear in a handful.
const OPENINGS: &[&str] = &[
    "Home visit today.",
    "Phone call this morning.",
    "Met at the practice.",
    "Video call, camera off at first.",
    "Accompanied {given} to the group for the first time.",
    "Short call to check in.",
    "Visited at home as agreed last week.",
    "Met in the café at the community centre.",
    "{given} rang me back after two missed calls.",
];

const HOW_THEY_ARE: &[&str] = &[
    "{given} said the week had been hard and that the evenings are the worst.",
    "{given} was brighter than last time and talked about the garden.",
    "Said they have not left the house since the last visit apart from the chemist.",
    "Feeling low since the anniversary of their husband's death.",
    "Spoke about money worries: the gas bill has doubled and they are skipping meals.",
    "Told me the landlord still has not fixed the damp in the back bedroom.",
    "Sleeping better since starting the walking group.",
    "Worried about their daughter, who is caring for them and is exhausted.",
    "Says the pain in their knees stops them getting to the bus stop.",
    "Lost their job in the spring and feels they have nothing to get up for.",
    "Has been going to the Tuesday coffee morning and enjoyed it.",
    "Described feeling invisible since moving here from Leeds.",
    "Anxious about the benefits review letter; has not opened it.",
    "Proud that they cooked a proper meal twice this week.",
    "Said the loneliness is worse at weekends when the day centre is closed.",
];

const WHAT_MATTERS: &[&str] = &[
    "What matters to {given}: \"I want to feel useful again.\"",
    "What matters: \"Getting out of the house without panicking.\"",
    "What matters: \"Seeing my grandchildren and being well enough to play with them.\"",
    "What matters: \"Sorting the debts so I can sleep.\"",
    "What matters: \"Having someone to talk to who isn't paid to.\"",
    "What matters: \"Getting back into singing like I used to.\"",
    "What matters: \"A warm flat.\"",
    "In their own words: \"I just want a reason to get dressed in the morning.\"",
];

const ACTIONS: &[&str] = &[
    "Gave details of the befriending service and the men's shed on Foundry Way.",
    "Referred to Citizens Advice for help with the debt and the energy company.",
    "Helped complete the housing repair request online together.",
    "Agreed to try the walking group on Thursday; I will meet them at the gate.",
    "Signposted to the carers' centre for a carer's assessment.",
    "Made a referral to the food bank and to the warm space at the library.",
    "Talked through the community gardening project; they want to visit first.",
    "Booked a place on the digital skills course so they can video call family.",
    "Discussed the bereavement support group; not ready yet, will revisit.",
    "Contacted the volunteer centre about two hours a week at the charity shop.",
    "Gave the number for the Samaritans and the crisis line, and explained when to use them.",
    "Agreed to phone the singing for the brain group together next visit.",
];

const NEXT_STEPS: &[&str] = &[
    "Next visit in two weeks.",
    "I will call on Friday to see how the group went.",
    "Follow up with the GP about the medication review.",
    "Will chase the housing officer on Monday.",
    "Plan reviewed; goals unchanged.",
    "Agreed to do the wellbeing questionnaire at the next session.",
    "No safeguarding concerns today.",
    "Discussed with my supervisor; no further action needed.",
];

/// Unusual details, so a benchmark can search for a rare word.
pub const RARE_DETAILS: &[&str] = &[
    "Mentioned they once played the euphonium in a colliery band.",
    "Keeps an aviary of zebra finches in the back yard.",
    "Used to be a lighthouse keeper on the Farne Islands.",
];

/// A word that appears in very many notes, and one that appears in very few.
pub const COMMON_SEARCH_WORD: &str = "group";
pub const RARE_SEARCH_WORD: &str = "euphonium";

/// The deterministic generator of a practice's text.
pub struct PracticeText {
    random: StdRng,
}

/// A generated person's identifying details.
#[derive(Debug, Clone)]
pub struct GeneratedPerson {
    pub given_name: String,
    pub family_name: String,
    pub nhs_number: String,
    pub date_of_birth: chrono::NaiveDate,
    pub address: String,
    pub postcode: String,
    pub phone: String,
}

impl PracticeText {
    pub fn new(seed: u64) -> Self {
        PracticeText { random: StdRng::seed_from_u64(seed) }
    }

    pub fn random(&mut self) -> &mut StdRng {
        &mut self.random
    }

    pub fn person(&mut self) -> GeneratedPerson {
        let given_name = pick(&mut self.random, GIVEN_NAMES).to_owned();
        let family_name = pick(&mut self.random, FAMILY_NAMES).to_owned();
        let year = self.random.gen_range(1930..2006);
        let day_of_year = self.random.gen_range(1..=365);
        let date_of_birth =
            chrono::NaiveDate::from_yo_opt(year, day_of_year).unwrap_or(chrono::NaiveDate::MIN);
        let postcode = format!(
            "{} {}{}{}",
            pick(&mut self.random, POSTCODE_DISTRICTS),
            self.random.gen_range(1..10),
            (b'A' + self.random.gen_range(0..26)) as char,
            (b'A' + self.random.gen_range(0..26)) as char,
        );
        let address = format!(
            "{} {}, {TOWN}",
            self.random.gen_range(1..180),
            pick(&mut self.random, STREETS)
        );
        // Ofcom's range for drama: never a real number.
        let phone = format!("07700 900{:03}", self.random.gen_range(0..1000));
        GeneratedPerson {
            given_name,
            family_name,
            nhs_number: self.nhs_number(),
            date_of_birth,
            address,
            postcode,
            phone,
        }
    }

    /// A 10-digit number whose check digit is valid (weights 10..2, mod 11).
    pub fn nhs_number(&mut self) -> String {
        loop {
            let digits: Vec<u32> = (0..9).map(|_| self.random.gen_range(0..10)).collect();
            let sum: u32 =
                digits.iter().zip((2..=10).rev()).map(|(digit, weight)| digit * weight).sum();
            let check = match 11 - sum % 11 {
                11 => 0,
                10 => continue,
                check => check,
            };
            let mut text: String =
                digits.iter().map(|digit| char::from(b'0' + *digit as u8)).collect();
            text.push(char::from(b'0' + check as u8));
            return text;
        }
    }

    /// One note of three to six sentences, addressed to the person by `given_name`.
    pub fn note(&mut self, given_name: &str) -> String {
        let mut sentences =
            vec![pick(&mut self.random, OPENINGS), pick(&mut self.random, HOW_THEY_ARE)];
        if self.random.gen_bool(0.3) {
            sentences.push(pick(&mut self.random, WHAT_MATTERS));
        }
        sentences.push(pick(&mut self.random, ACTIONS));
        if self.random.gen_bool(0.0005) {
            sentences.push(pick(&mut self.random, RARE_DETAILS));
        }
        sentences.push(pick(&mut self.random, NEXT_STEPS));
        sentences.join(" ").replace("{given}", given_name)
    }
}

fn pick<'a>(random: &mut StdRng, choices: &[&'a str]) -> &'a str {
    choices.choose(random).copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_practice() {
        let mut first = PracticeText::new(7);
        let mut second = PracticeText::new(7);
        for _ in 0..50 {
            assert_eq!(first.person().nhs_number, second.person().nhs_number);
            assert_eq!(first.note("Ann"), second.note("Ann"));
        }
    }

    #[test]
    fn generated_nhs_numbers_pass_the_check_digit() {
        let mut text = PracticeText::new(1);
        for _ in 0..1000 {
            let number = text.nhs_number();
            let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
            assert_eq!(digits.len(), 10);
            let sum: u32 = digits[..9].iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
            let check = (11 - sum % 11) % 11;
            assert_ne!(check, 10);
            assert_eq!(digits[9], check, "{number}");
        }
    }

    #[test]
    fn notes_name_the_person_and_never_leave_a_placeholder() {
        let mut text = PracticeText::new(3);
        for _ in 0..200 {
            let note = text.note("Doreen");
            assert!(!note.contains("{given}"), "{note}");
            assert!(note.split_whitespace().count() >= 12, "{note}");
        }
    }
}
