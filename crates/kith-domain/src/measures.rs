//! Outcome measures, scored exactly as domain.md defines them: ONS4 (each item with its band,
//! anxiety reversed, never a sum), SWEMWBS (raw total converted through the metric table),
//! UCLA-3 loneliness and MYCaW. An incomplete questionnaire has no score: nothing is imputed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{MeasureId, PersonId, UserId};

/// Which questionnaire.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    Ons4,
    Swemwbs,
    Ucla3,
    Mycaw,
}

impl MeasureKind {
    /// Every measure.
    pub const ALL: [MeasureKind; 4] =
        [MeasureKind::Ons4, MeasureKind::Swemwbs, MeasureKind::Ucla3, MeasureKind::Mycaw];

    /// The measure's usual short name.
    pub fn label(self) -> &'static str {
        match self {
            MeasureKind::Ons4 => "ONS4",
            MeasureKind::Swemwbs => "SWEMWBS",
            MeasureKind::Ucla3 => "UCLA-3",
            MeasureKind::Mycaw => "MYCaW",
        }
    }

    /// The lowest and highest answer allowed for each item.
    pub fn answer_range(self) -> (u8, u8) {
        match self {
            MeasureKind::Ons4 => (ONS4_MIN, ONS4_MAX),
            MeasureKind::Swemwbs => (SWEMWBS_MIN, SWEMWBS_MAX),
            MeasureKind::Ucla3 => (UCLA3_MIN, UCLA3_MAX),
            MeasureKind::Mycaw => (MYCAW_MIN, MYCAW_MAX),
        }
    }

    /// A short name for item `number` (1-based), for messages.
    pub fn item_name(self, number: u8) -> &'static str {
        let index = usize::from(number.saturating_sub(1));
        let names: &[&'static str] = match self {
            MeasureKind::Ons4 => &ONS4_ITEMS,
            MeasureKind::Swemwbs => &SWEMWBS_ITEMS,
            MeasureKind::Ucla3 => &UCLA3_ITEMS,
            MeasureKind::Mycaw => &MYCAW_ITEM_NAMES,
        };
        names.get(index).copied().unwrap_or("unknown item")
    }
}

/// When the measure was taken.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum MeasureTiming {
    /// At the start.
    Baseline,
    /// At discharge.
    FollowUp,
}

// ---------------------------------------------------------------------------------------
// ONS4

/// ONS4 answers run from 0 ("not at all") ...
pub const ONS4_MIN: u8 = 0;
/// ... to 10 ("completely").
pub const ONS4_MAX: u8 = 10;

/// The four ONS4 questions, exactly as worded.
pub const ONS4_ITEMS: [&str; 4] = [
    "Overall, how satisfied are you with your life nowadays?",
    "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
    "Overall, how happy did you feel yesterday?",
    "On a scale where 0 is \"not at all anxious\" and 10 is \"completely anxious\", overall, \
     how anxious did you feel yesterday?",
];

/// The labels of the ends of the ONS4 scale for items 1-3: 0 and 10.
pub const ONS4_ANCHORS: [&str; 2] = ["not at all", "completely"];
/// The labels of the ends of the ONS4 anxiety scale (item 4): 0 and 10.
pub const ONS4_ANXIETY_ANCHORS: [&str; 2] = ["not at all anxious", "completely anxious"];

/// ONS4 answers in item order (life satisfaction, worthwhile, happiness, anxiety);
/// `None` means not answered.
#[derive(Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct Ons4Answers {
    pub items: [Option<u8>; 4],
}
crate::debug_without_personal_data!(Ons4Answers {});

/// Band for ONS4 items 1-3 (higher is better): 0-4 low, 5-6 medium, 7-8 high, 9-10 very
/// high.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum WellbeingBand {
    Low,
    Medium,
    High,
    VeryHigh,
}

/// Band for ONS4 anxiety (item 4, higher is worse): 0-1 very low, 2-3 low, 4-5 medium,
/// 6-10 high.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum AnxietyBand {
    VeryLow,
    Low,
    Medium,
    High,
}

/// The band of an answer to ONS4 item 1, 2 or 3.
pub fn wellbeing_band(value: u8) -> Result<WellbeingBand, DomainError> {
    match value {
        0..=4 => Ok(WellbeingBand::Low),
        5..=6 => Ok(WellbeingBand::Medium),
        7..=8 => Ok(WellbeingBand::High),
        9..=10 => Ok(WellbeingBand::VeryHigh),
        _ => Err(out_of_range(MeasureKind::Ons4, 1, value)),
    }
}

/// The band of an answer to ONS4 item 4 (anxiety).
pub fn anxiety_band(value: u8) -> Result<AnxietyBand, DomainError> {
    match value {
        0..=1 => Ok(AnxietyBand::VeryLow),
        2..=3 => Ok(AnxietyBand::Low),
        4..=5 => Ok(AnxietyBand::Medium),
        6..=10 => Ok(AnxietyBand::High),
        _ => Err(out_of_range(MeasureKind::Ons4, 4, value)),
    }
}

/// One of ONS4 items 1-3, scored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct WellbeingItemScore {
    pub value: u8,
    pub band: WellbeingBand,
}

/// ONS4 item 4 (anxiety), scored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AnxietyItemScore {
    pub value: u8,
    pub band: AnxietyBand,
}

/// ONS4 scored: each item with its band. There is deliberately no total.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Ons4Score {
    pub life_satisfaction: WellbeingItemScore,
    pub worthwhile: WellbeingItemScore,
    pub happiness: WellbeingItemScore,
    pub anxiety: AnxietyItemScore,
}

impl Ons4Answers {
    /// Refuses answers outside 0-10.
    pub fn validate(&self) -> Result<(), DomainError> {
        check_ranges(MeasureKind::Ons4, &self.items)
    }

    /// Each item with its band, or an error if any answer is out of range or missing.
    pub fn score(&self) -> Result<Ons4Score, DomainError> {
        let [life, worthwhile, happy, anxious] = complete_items(MeasureKind::Ons4, &self.items)?;
        let wellbeing =
            |value| wellbeing_band(value).map(|band| WellbeingItemScore { value, band });
        Ok(Ons4Score {
            life_satisfaction: wellbeing(life)?,
            worthwhile: wellbeing(worthwhile)?,
            happiness: wellbeing(happy)?,
            anxiety: AnxietyItemScore { value: anxious, band: anxiety_band(anxious)? },
        })
    }
}

// ---------------------------------------------------------------------------------------
// SWEMWBS

/// SWEMWBS answers run from 1 ("None of the time") ...
pub const SWEMWBS_MIN: u8 = 1;
/// ... to 5 ("All of the time").
pub const SWEMWBS_MAX: u8 = 5;
/// The period the SWEMWBS statements are about.
pub const SWEMWBS_PERIOD: &str = "over the last 2 weeks";

/// The seven SWEMWBS statements, exactly as worded.
pub const SWEMWBS_ITEMS: [&str; 7] = [
    "I've been feeling optimistic about the future",
    "I've been feeling useful",
    "I've been feeling relaxed",
    "I've been dealing with problems well",
    "I've been thinking clearly",
    "I've been feeling close to other people",
    "I've been able to make up my own mind about things",
];

/// The SWEMWBS answers; answer `n` is at index `n - 1`.
pub const SWEMWBS_ANSWERS: [&str; 5] =
    ["None of the time", "Rarely", "Some of the time", "Often", "All of the time"];

/// Lowest SWEMWBS raw total.
pub const SWEMWBS_RAW_MIN: u8 = 7;
/// Highest SWEMWBS raw total.
pub const SWEMWBS_RAW_MAX: u8 = 35;

/// The SWEMWBS raw total to metric score conversion table, in hundredths, for raw totals 7
/// to 35 (index = raw - 7). Exact, from domain.md.
pub const SWEMWBS_METRIC_HUNDREDTHS: [u16; 29] = [
    700, 951, 1125, 1240, 1333, 1408, 1475, 1532, 1584, 1636, 1688, 1743, 1798, 1859, 1925, 1998,
    2073, 2154, 2235, 2321, 2411, 2503, 2602, 2703, 2813, 2931, 3070, 3255, 3500,
];

/// The metric score, in hundredths, for a raw total of 7 to 35.
pub fn swemwbs_metric_hundredths(raw_total: u8) -> Result<u16, DomainError> {
    if !(SWEMWBS_RAW_MIN..=SWEMWBS_RAW_MAX).contains(&raw_total) {
        return Err(DomainError::SwemwbsRawTotalOutOfRange { raw_total });
    }
    SWEMWBS_METRIC_HUNDREDTHS
        .get(usize::from(raw_total - SWEMWBS_RAW_MIN))
        .copied()
        .ok_or(DomainError::SwemwbsRawTotalOutOfRange { raw_total })
}

/// SWEMWBS answers in statement order; `None` means not answered.
#[derive(Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct SwemwbsAnswers {
    pub items: [Option<u8>; 7],
}
crate::debug_without_personal_data!(SwemwbsAnswers {});

/// SWEMWBS scored. The metric score is what is reported.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct SwemwbsScore {
    pub raw_total: u8,
    /// The metric score exactly, in hundredths (e.g. 1998 for 19.98).
    pub metric_hundredths: u16,
    /// The metric score as a number (e.g. 19.98), for display.
    pub metric: f64,
}

impl SwemwbsAnswers {
    /// Refuses answers outside 1-5.
    pub fn validate(&self) -> Result<(), DomainError> {
        check_ranges(MeasureKind::Swemwbs, &self.items)
    }

    /// The raw total and metric score, or an error if any answer is out of range or missing.
    pub fn score(&self) -> Result<SwemwbsScore, DomainError> {
        let items = complete_items(MeasureKind::Swemwbs, &self.items)?;
        let raw_total: u8 = items.iter().sum();
        let metric_hundredths = swemwbs_metric_hundredths(raw_total)?;
        Ok(SwemwbsScore {
            raw_total,
            metric_hundredths,
            metric: f64::from(metric_hundredths) / 100.0,
        })
    }
}

// ---------------------------------------------------------------------------------------
// UCLA-3

/// UCLA-3 answers run from 1 ("Hardly ever") ...
pub const UCLA3_MIN: u8 = 1;
/// ... to 3 ("Often").
pub const UCLA3_MAX: u8 = 3;
/// A total of this or more is commonly read as lonely.
pub const UCLA3_LONELY_FROM: u8 = 6;

/// The three UCLA questions, exactly as worded.
pub const UCLA3_ITEMS: [&str; 3] = [
    "How often do you feel that you lack companionship?",
    "How often do you feel left out?",
    "How often do you feel isolated from others?",
];

/// The UCLA-3 answers; answer `n` is at index `n - 1`.
pub const UCLA3_ANSWERS: [&str; 3] = ["Hardly ever", "Some of the time", "Often"];

/// UCLA-3 answers in question order; `None` means not answered.
#[derive(Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct Ucla3Answers {
    pub items: [Option<u8>; 3],
}
crate::debug_without_personal_data!(Ucla3Answers {});

/// UCLA-3 scored: total 3-9, higher is lonelier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Ucla3Score {
    pub total: u8,
    /// True when the total is [`UCLA3_LONELY_FROM`] or more.
    pub lonely: bool,
}

impl Ucla3Answers {
    /// Refuses answers outside 1-3.
    pub fn validate(&self) -> Result<(), DomainError> {
        check_ranges(MeasureKind::Ucla3, &self.items)
    }

    /// The total, or an error if any answer is out of range or missing.
    pub fn score(&self) -> Result<Ucla3Score, DomainError> {
        let items = complete_items(MeasureKind::Ucla3, &self.items)?;
        let total: u8 = items.iter().sum();
        Ok(Ucla3Score { total, lonely: total >= UCLA3_LONELY_FROM })
    }
}

// ---------------------------------------------------------------------------------------
// MYCaW

/// MYCaW ratings run from 0 ...
pub const MYCAW_MIN: u8 = 0;
/// ... to 6. Lower is better.
pub const MYCAW_MAX: u8 = 6;
/// A person names one or at most two concerns.
pub const MYCAW_MAX_CONCERNS: usize = 2;

/// Names of the MYCaW items for messages: item 1 and 2 are the concerns, item 3 wellbeing.
pub const MYCAW_ITEM_NAMES: [&str; 3] =
    ["how much concern 1 bothers you", "how much concern 2 bothers you", "general wellbeing"];
/// MYCaW item number of the wellbeing rating in [`DomainError::IncompleteQuestionnaire`].
pub const MYCAW_WELLBEING_ITEM: u8 = 3;

/// The MYCaW concern question (wording to confirm against the licensed form).
pub const MYCAW_CONCERN_QUESTION: &str = "Please write down one or two concerns or problems \
     which you would most like us to help you with, and rate how severe each one is now.";
/// The MYCaW wellbeing question (wording to confirm against the licensed form).
pub const MYCAW_WELLBEING_QUESTION: &str =
    "How would you rate your general feeling of wellbeing now?";
/// Ends of the concern scale: 0 and 6 (anchors to confirm).
pub const MYCAW_CONCERN_ANCHORS: [&str; 2] = ["not bothering me at all", "bothers me greatly"];
/// Ends of the wellbeing scale: 0 and 6 (anchors to confirm).
pub const MYCAW_WELLBEING_ANCHORS: [&str; 2] = ["as good as it could be", "as bad as it could be"];

/// A concern in the person's own words with how much it bothers them (0-6).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MycawConcern {
    pub in_own_words: String,
    pub rating: Option<u8>,
}
crate::debug_without_personal_data!(MycawConcern { rating });

/// MYCaW answers: one or two concerns and general wellbeing.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct MycawAnswers {
    pub concerns: Vec<MycawConcern>,
    pub wellbeing: Option<u8>,
}
crate::debug_without_personal_data!(MycawAnswers { wellbeing });

/// MYCaW scored: each rating as given (0-6, lower is better).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MycawScore {
    pub concern_1: u8,
    pub concern_2: Option<u8>,
    pub wellbeing: u8,
}

/// MYCaW change, baseline − follow-up: positive means better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MycawChange {
    pub concern_1: i8,
    pub concern_2: Option<i8>,
    pub wellbeing: i8,
}

impl MycawAnswers {
    /// Refuses zero or more than two concerns, a concern without words, and ratings
    /// outside 0-6. Missing ratings are allowed here (the questionnaire then has no score).
    pub fn validate(&self) -> Result<(), DomainError> {
        let count = self.concerns.len();
        if count == 0 || count > MYCAW_MAX_CONCERNS {
            return Err(DomainError::MycawConcernCount { count });
        }
        if self.concerns.iter().any(|concern| concern.in_own_words.trim().is_empty()) {
            return Err(DomainError::Required { field: "MYCaW concern (in the person's words)" });
        }
        check_ranges(MeasureKind::Mycaw, &self.ratings())
    }

    /// The ratings as items: concern 1, concern 2 (absent when only one concern is named,
    /// and then not missing), wellbeing.
    fn ratings(&self) -> [Option<u8>; 3] {
        [
            self.concerns.first().and_then(|concern| concern.rating),
            self.concerns.get(1).and_then(|concern| concern.rating),
            self.wellbeing,
        ]
    }

    /// The ratings, or an error if the answers are invalid or a rating is missing.
    pub fn score(&self) -> Result<MycawScore, DomainError> {
        self.validate()?;
        let ratings = self.ratings();
        let mut missing = Vec::new();
        for (index, rating) in ratings.iter().enumerate() {
            let named = index != 1 || self.concerns.len() == 2;
            if named && rating.is_none() {
                missing.push(item_number(index));
            }
        }
        match ratings {
            [Some(concern_1), concern_2, Some(wellbeing)] if missing.is_empty() => {
                Ok(MycawScore { concern_1, concern_2, wellbeing })
            }
            _ => Err(DomainError::IncompleteQuestionnaire { measure: MeasureKind::Mycaw, missing }),
        }
    }
}

/// MYCaW change between a baseline and a follow-up of the same concerns: baseline −
/// follow-up for each rating (positive = better). Both must be complete and name the same
/// number of concerns.
pub fn mycaw_change(
    baseline: &MycawAnswers,
    follow_up: &MycawAnswers,
) -> Result<MycawChange, DomainError> {
    let before = baseline.score()?;
    let after = follow_up.score()?;
    if baseline.concerns.len() != follow_up.concerns.len() {
        return Err(DomainError::MycawConcernsDiffer {
            baseline: baseline.concerns.len(),
            follow_up: follow_up.concerns.len(),
        });
    }
    let difference = |from: u8, to: u8| i8::try_from(i16::from(from) - i16::from(to)).unwrap_or(0);
    Ok(MycawChange {
        concern_1: difference(before.concern_1, after.concern_1),
        concern_2: before.concern_2.zip(after.concern_2).map(|(from, to)| difference(from, to)),
        wellbeing: difference(before.wellbeing, after.wellbeing),
    })
}

// ---------------------------------------------------------------------------------------
// A recorded measure

/// The answers to one questionnaire.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "measure")]
pub enum MeasureAnswers {
    Ons4(Ons4Answers),
    Swemwbs(SwemwbsAnswers),
    Ucla3(Ucla3Answers),
    Mycaw(MycawAnswers),
}
impl std::fmt::Debug for MeasureAnswers {
    /// Shows only which questionnaire: answers are health data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MeasureAnswers({:?}, ..)", self.kind())
    }
}

/// The score of one questionnaire.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "measure")]
pub enum MeasureScore {
    Ons4(Ons4Score),
    Swemwbs(SwemwbsScore),
    Ucla3(Ucla3Score),
    Mycaw(MycawScore),
}

impl MeasureAnswers {
    /// Which questionnaire these answer.
    pub fn kind(&self) -> MeasureKind {
        match self {
            MeasureAnswers::Ons4(_) => MeasureKind::Ons4,
            MeasureAnswers::Swemwbs(_) => MeasureKind::Swemwbs,
            MeasureAnswers::Ucla3(_) => MeasureKind::Ucla3,
            MeasureAnswers::Mycaw(_) => MeasureKind::Mycaw,
        }
    }

    /// Refuses out-of-range answers (missing answers are allowed and leave no score).
    pub fn validate(&self) -> Result<(), DomainError> {
        match self {
            MeasureAnswers::Ons4(answers) => answers.validate(),
            MeasureAnswers::Swemwbs(answers) => answers.validate(),
            MeasureAnswers::Ucla3(answers) => answers.validate(),
            MeasureAnswers::Mycaw(answers) => answers.validate(),
        }
    }

    /// The score, or an error when an answer is out of range or missing.
    pub fn score(&self) -> Result<MeasureScore, DomainError> {
        Ok(match self {
            MeasureAnswers::Ons4(answers) => MeasureScore::Ons4(answers.score()?),
            MeasureAnswers::Swemwbs(answers) => MeasureScore::Swemwbs(answers.score()?),
            MeasureAnswers::Ucla3(answers) => MeasureScore::Ucla3(answers.score()?),
            MeasureAnswers::Mycaw(answers) => MeasureScore::Mycaw(answers.score()?),
        })
    }
}

/// A questionnaire taken on a day, at baseline or follow-up. Insert-only.
#[derive(Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Measure {
    pub id: MeasureId,
    pub person_id: PersonId,
    pub timing: MeasureTiming,
    pub taken_on: NaiveDate,
    pub recorded_by: UserId,
    pub answers: MeasureAnswers,
}
crate::debug_without_personal_data!(Measure { id, person_id, timing, taken_on });

impl Measure {
    /// Checks the answers' ranges and that the date is not in the future.
    pub fn validate(&self, today: NaiveDate) -> Result<(), DomainError> {
        if self.taken_on > today {
            return Err(DomainError::DateInFuture { field: "date the measure was taken" });
        }
        self.answers.validate()
    }

    /// The score, or an error when incomplete or out of range.
    pub fn score(&self) -> Result<MeasureScore, DomainError> {
        self.answers.score()
    }
}

// ---------------------------------------------------------------------------------------
// Paired change, for charts and reports

/// The change between a baseline and a follow-up of the same measure, every number signed
/// so that **positive means better**: ONS4 items 1-3, SWEMWBS: follow-up − baseline; ONS4
/// anxiety, UCLA-3 and MYCaW (lower is better): baseline − follow-up (for MYCaW this is
/// domain.md's "change").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "measure")]
pub enum Improvement {
    Ons4 { life_satisfaction: i8, worthwhile: i8, happiness: i8, anxiety: i8 },
    Swemwbs { metric_hundredths: i16 },
    Ucla3 { total: i8 },
    Mycaw(MycawChange),
}

fn rise(baseline: u8, follow_up: u8) -> i8 {
    i8::try_from(i16::from(follow_up) - i16::from(baseline)).unwrap_or(0)
}

/// The improvement from `baseline` to `follow_up`. Both must be the same measure and
/// complete; otherwise the error says which.
pub fn improvement(
    baseline: &MeasureAnswers,
    follow_up: &MeasureAnswers,
) -> Result<Improvement, DomainError> {
    match (baseline, follow_up) {
        (MeasureAnswers::Ons4(before), MeasureAnswers::Ons4(after)) => {
            let (before, after) = (before.score()?, after.score()?);
            Ok(Improvement::Ons4 {
                life_satisfaction: rise(
                    before.life_satisfaction.value,
                    after.life_satisfaction.value,
                ),
                worthwhile: rise(before.worthwhile.value, after.worthwhile.value),
                happiness: rise(before.happiness.value, after.happiness.value),
                anxiety: rise(after.anxiety.value, before.anxiety.value),
            })
        }
        (MeasureAnswers::Swemwbs(before), MeasureAnswers::Swemwbs(after)) => {
            let (before, after) = (before.score()?, after.score()?);
            let difference =
                i32::from(after.metric_hundredths) - i32::from(before.metric_hundredths);
            Ok(Improvement::Swemwbs { metric_hundredths: i16::try_from(difference).unwrap_or(0) })
        }
        (MeasureAnswers::Ucla3(before), MeasureAnswers::Ucla3(after)) => {
            Ok(Improvement::Ucla3 { total: rise(after.score()?.total, before.score()?.total) })
        }
        (MeasureAnswers::Mycaw(before), MeasureAnswers::Mycaw(after)) => {
            Ok(Improvement::Mycaw(mycaw_change(before, after)?))
        }
        _ => Err(DomainError::MeasureKindMismatch {
            baseline: baseline.kind(),
            follow_up: follow_up.kind(),
        }),
    }
}

/// The pair to compare for one person and one measure: the earliest baseline and the latest
/// follow-up taken on or after it (ties broken by id, i.e. by creation). `None` until both
/// exist. It filters by kind only, so pass one person's measures.
pub fn baseline_and_follow_up(
    measures: &[Measure],
    kind: MeasureKind,
) -> Option<(&Measure, &Measure)> {
    let of_kind = |timing: MeasureTiming| {
        measures
            .iter()
            .filter(move |measure| measure.answers.kind() == kind && measure.timing == timing)
    };
    let baseline =
        of_kind(MeasureTiming::Baseline).min_by_key(|measure| (measure.taken_on, measure.id))?;
    let follow_up = of_kind(MeasureTiming::FollowUp)
        .filter(|measure| measure.taken_on >= baseline.taken_on)
        .max_by_key(|measure| (measure.taken_on, measure.id))?;
    Some((baseline, follow_up))
}

// ---------------------------------------------------------------------------------------
// Shared checks

fn item_number(index: usize) -> u8 {
    u8::try_from(index + 1).unwrap_or(u8::MAX)
}

fn out_of_range(measure: MeasureKind, item: u8, value: u8) -> DomainError {
    let (min, max) = measure.answer_range();
    DomainError::AnswerOutOfRange { measure, item, value, min, max }
}

/// Refuses the first answer outside the measure's range.
fn check_ranges(measure: MeasureKind, items: &[Option<u8>]) -> Result<(), DomainError> {
    let (min, max) = measure.answer_range();
    for (index, item) in items.iter().enumerate() {
        if let Some(value) = *item {
            if !(min..=max).contains(&value) {
                return Err(out_of_range(measure, item_number(index), value));
            }
        }
    }
    Ok(())
}

/// Every answer, in range; otherwise the first out-of-range answer, or every missing item.
fn complete_items<const N: usize>(
    measure: MeasureKind,
    items: &[Option<u8>; N],
) -> Result<[u8; N], DomainError> {
    check_ranges(measure, items)?;
    let missing: Vec<u8> = items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.is_none())
        .map(|(index, _)| item_number(index))
        .collect();
    if !missing.is_empty() {
        return Err(DomainError::IncompleteQuestionnaire { measure, missing });
    }
    Ok(items.map(|item| item.unwrap_or_default()))
}
