//! Outcome measures: the SWEMWBS table row by row, ONS4 bands at every value, UCLA-3
//! boundaries, MYCaW change, and no score for any incomplete questionnaire.

use kith_domain::measures::*;
use kith_domain::DomainError;

/// The conversion table exactly as printed in domain.md.
const DOMAIN_MD_SWEMWBS: [(u8, &str); 29] = [
    (7, "7.00"),
    (8, "9.51"),
    (9, "11.25"),
    (10, "12.40"),
    (11, "13.33"),
    (12, "14.08"),
    (13, "14.75"),
    (14, "15.32"),
    (15, "15.84"),
    (16, "16.36"),
    (17, "16.88"),
    (18, "17.43"),
    (19, "17.98"),
    (20, "18.59"),
    (21, "19.25"),
    (22, "19.98"),
    (23, "20.73"),
    (24, "21.54"),
    (25, "22.35"),
    (26, "23.21"),
    (27, "24.11"),
    (28, "25.03"),
    (29, "26.02"),
    (30, "27.03"),
    (31, "28.13"),
    (32, "29.31"),
    (33, "30.70"),
    (34, "32.55"),
    (35, "35.00"),
];

/// Seven answers, each 1-5, adding up to `raw`.
fn swemwbs_answers_totalling(raw: u8) -> SwemwbsAnswers {
    let mut items = [Some(1u8); 7];
    let mut extra = raw - 7;
    for item in items.iter_mut() {
        let add = extra.min(4);
        *item = Some(1 + add);
        extra -= add;
    }
    SwemwbsAnswers { items }
}

#[test]
fn swemwbs_every_raw_total_converts_through_the_table() {
    for (raw, metric) in DOMAIN_MD_SWEMWBS {
        let answers = swemwbs_answers_totalling(raw);
        assert_eq!(answers.items.iter().map(|item| item.unwrap()).sum::<u8>(), raw);
        let score = answers.score().unwrap();
        assert_eq!(score.raw_total, raw);
        assert_eq!(format!("{:.2}", score.metric), metric, "raw {raw}");
        let hundredths: u16 = metric.replace('.', "").parse().unwrap();
        assert_eq!(score.metric_hundredths, hundredths, "raw {raw}");
        assert_eq!(swemwbs_metric_hundredths(raw), Ok(hundredths));
    }
}

#[test]
fn swemwbs_same_total_same_score_whatever_the_items() {
    let spread =
        SwemwbsAnswers { items: [Some(5), Some(1), Some(3), Some(3), Some(2), Some(4), Some(3)] };
    let flat = SwemwbsAnswers { items: [Some(3); 7] };
    assert_eq!(spread.score().unwrap(), flat.score().unwrap());
    assert_eq!(flat.score().unwrap().metric_hundredths, 1925);
}

#[test]
fn swemwbs_raw_total_outside_7_to_35_has_no_metric() {
    for raw in [0, 6, 36, 255] {
        assert_eq!(
            swemwbs_metric_hundredths(raw),
            Err(DomainError::SwemwbsRawTotalOutOfRange { raw_total: raw })
        );
    }
}

#[test]
fn swemwbs_out_of_range_answers_are_refused() {
    for bad in [0u8, 6, 9] {
        for position in 0..7 {
            let mut items = [Some(3u8); 7];
            items[position] = Some(bad);
            let answers = SwemwbsAnswers { items };
            let expected = DomainError::AnswerOutOfRange {
                measure: MeasureKind::Swemwbs,
                item: position as u8 + 1,
                value: bad,
                min: 1,
                max: 5,
            };
            assert_eq!(answers.validate(), Err(expected.clone()));
            assert_eq!(answers.score(), Err(expected));
        }
    }
}

#[test]
fn ons4_bands_at_every_value() {
    let wellbeing = [
        (0, WellbeingBand::Low),
        (1, WellbeingBand::Low),
        (2, WellbeingBand::Low),
        (3, WellbeingBand::Low),
        (4, WellbeingBand::Low),
        (5, WellbeingBand::Medium),
        (6, WellbeingBand::Medium),
        (7, WellbeingBand::High),
        (8, WellbeingBand::High),
        (9, WellbeingBand::VeryHigh),
        (10, WellbeingBand::VeryHigh),
    ];
    let anxiety = [
        (0, AnxietyBand::VeryLow),
        (1, AnxietyBand::VeryLow),
        (2, AnxietyBand::Low),
        (3, AnxietyBand::Low),
        (4, AnxietyBand::Medium),
        (5, AnxietyBand::Medium),
        (6, AnxietyBand::High),
        (7, AnxietyBand::High),
        (8, AnxietyBand::High),
        (9, AnxietyBand::High),
        (10, AnxietyBand::High),
    ];
    for ((value, band), (anxious, anxiety_expected)) in wellbeing.into_iter().zip(anxiety) {
        assert_eq!(value, anxious);
        assert_eq!(wellbeing_band(value), Ok(band), "wellbeing {value}");
        assert_eq!(anxiety_band(value), Ok(anxiety_expected), "anxiety {value}");
        // Through the questionnaire: each item keeps its own value and band, no sum.
        let score = Ons4Answers { items: [Some(value); 4] }.score().unwrap();
        for item in [score.life_satisfaction, score.worthwhile, score.happiness] {
            assert_eq!(item, WellbeingItemScore { value, band });
        }
        assert_eq!(score.anxiety, AnxietyItemScore { value, band: anxiety_expected });
    }
    assert!(wellbeing_band(11).is_err());
    assert!(anxiety_band(11).is_err());
}

#[test]
fn ons4_items_are_reported_separately_in_item_order() {
    let score = Ons4Answers { items: [Some(2), Some(6), Some(8), Some(9)] }.score().unwrap();
    assert_eq!(score.life_satisfaction, WellbeingItemScore { value: 2, band: WellbeingBand::Low });
    assert_eq!(score.worthwhile, WellbeingItemScore { value: 6, band: WellbeingBand::Medium });
    assert_eq!(score.happiness, WellbeingItemScore { value: 8, band: WellbeingBand::High });
    assert_eq!(score.anxiety, AnxietyItemScore { value: 9, band: AnxietyBand::High });
    let json = serde_json::to_value(score).unwrap();
    assert!(json.get("total").is_none() && json.get("sum").is_none(), "{json}");
}

#[test]
fn ons4_out_of_range_answer_is_refused() {
    let answers = Ons4Answers { items: [Some(5), Some(11), Some(5), None] };
    let expected = DomainError::AnswerOutOfRange {
        measure: MeasureKind::Ons4,
        item: 2,
        value: 11,
        min: 0,
        max: 10,
    };
    assert_eq!(answers.validate(), Err(expected.clone()));
    assert_eq!(answers.score(), Err(expected.clone()));
    assert_eq!(expected.to_string(), "ONS4 item 2 must be between 0 and 10; you entered 11");
}

/// Every way of leaving out one item, and leaving out all of them, for a fixed-size
/// questionnaire: no score, and the error names exactly the missing items.
fn check_incomplete<const N: usize>(
    measure: MeasureKind,
    answered: u8,
    score: impl Fn([Option<u8>; N]) -> Result<(), DomainError>,
) {
    for missing in 0..N {
        let mut items = [Some(answered); N];
        items[missing] = None;
        assert_eq!(
            score(items),
            Err(DomainError::IncompleteQuestionnaire { measure, missing: vec![missing as u8 + 1] }),
            "{measure:?} item {missing}"
        );
    }
    let all: Vec<u8> = (1..=N as u8).collect();
    assert_eq!(
        score([None; N]),
        Err(DomainError::IncompleteQuestionnaire { measure, missing: all })
    );
    assert!(score([Some(answered); N]).is_ok());
}

#[test]
fn incomplete_questionnaires_have_no_score() {
    check_incomplete::<4>(MeasureKind::Ons4, 5, |items| Ons4Answers { items }.score().map(drop));
    check_incomplete::<7>(MeasureKind::Swemwbs, 3, |items| {
        SwemwbsAnswers { items }.score().map(drop)
    });
    check_incomplete::<3>(MeasureKind::Ucla3, 2, |items| Ucla3Answers { items }.score().map(drop));
    // Through the recorded measure too.
    let swemwbs = MeasureAnswers::Swemwbs(SwemwbsAnswers {
        items: [Some(3), Some(3), None, Some(3), Some(3), None, Some(3)],
    });
    assert!(swemwbs.validate().is_ok(), "an incomplete questionnaire may be saved");
    let error = swemwbs.score().unwrap_err();
    assert_eq!(
        error,
        DomainError::IncompleteQuestionnaire { measure: MeasureKind::Swemwbs, missing: vec![3, 6] }
    );
    assert_eq!(
        error.to_string(),
        "SWEMWBS has no score until every item is answered; still to answer: item 3 \
         (I've been feeling relaxed), item 6 (I've been feeling close to other people)"
    );
}

#[test]
fn ucla3_totals_and_the_lonely_boundary() {
    let cases = [
        ([1, 1, 1], 3, false),
        ([1, 1, 2], 4, false),
        ([2, 2, 1], 5, false),
        ([2, 2, 2], 6, true),
        ([3, 1, 2], 6, true),
        ([3, 3, 1], 7, true),
        ([3, 3, 2], 8, true),
        ([3, 3, 3], 9, true),
    ];
    for (items, total, lonely) in cases {
        let score = Ucla3Answers { items: items.map(Some) }.score().unwrap();
        assert_eq!(score, Ucla3Score { total, lonely }, "{items:?}");
    }
    for bad in [0u8, 4] {
        let answers = Ucla3Answers { items: [Some(2), Some(bad), Some(2)] };
        assert_eq!(
            answers.score(),
            Err(DomainError::AnswerOutOfRange {
                measure: MeasureKind::Ucla3,
                item: 2,
                value: bad,
                min: 1,
                max: 3
            })
        );
    }
}

fn mycaw(concerns: &[(&str, Option<u8>)], wellbeing: Option<u8>) -> MycawAnswers {
    MycawAnswers {
        concerns: concerns
            .iter()
            .map(|(words, rating)| MycawConcern {
                in_own_words: (*words).to_owned(),
                rating: *rating,
            })
            .collect(),
        wellbeing,
    }
}

#[test]
fn mycaw_scores_and_change_is_baseline_minus_follow_up() {
    let baseline = mycaw(&[("getting out", Some(6)), ("sleep", Some(4))], Some(5));
    let follow_up = mycaw(&[("getting out", Some(2)), ("sleep", Some(5))], Some(3));
    assert_eq!(
        baseline.score().unwrap(),
        MycawScore { concern_1: 6, concern_2: Some(4), wellbeing: 5 }
    );
    assert_eq!(
        mycaw_change(&baseline, &follow_up).unwrap(),
        MycawChange { concern_1: 4, concern_2: Some(-1), wellbeing: 2 }
    );
    let one_before = mycaw(&[("money worries", Some(0))], Some(6));
    let one_after = mycaw(&[("money worries", Some(6))], Some(0));
    assert_eq!(
        mycaw_change(&one_before, &one_after).unwrap(),
        MycawChange { concern_1: -6, concern_2: None, wellbeing: 6 }
    );
    assert_eq!(
        mycaw_change(&baseline, &one_after),
        Err(DomainError::MycawConcernsDiffer { baseline: 2, follow_up: 1 })
    );
}

#[test]
fn mycaw_incomplete_and_invalid_answers() {
    let cases = [
        (
            mycaw(&[("a", None)], Some(3)),
            DomainError::IncompleteQuestionnaire { measure: MeasureKind::Mycaw, missing: vec![1] },
        ),
        (
            mycaw(&[("a", Some(3)), ("b", None)], Some(3)),
            DomainError::IncompleteQuestionnaire { measure: MeasureKind::Mycaw, missing: vec![2] },
        ),
        (
            mycaw(&[("a", Some(3))], None),
            DomainError::IncompleteQuestionnaire { measure: MeasureKind::Mycaw, missing: vec![3] },
        ),
        (
            mycaw(&[("a", None), ("b", None)], None),
            DomainError::IncompleteQuestionnaire {
                measure: MeasureKind::Mycaw,
                missing: vec![1, 2, 3],
            },
        ),
        (mycaw(&[], Some(3)), DomainError::MycawConcernCount { count: 0 }),
        (
            mycaw(&[("a", Some(1)), ("b", Some(1)), ("c", Some(1))], Some(3)),
            DomainError::MycawConcernCount { count: 3 },
        ),
        (
            mycaw(&[("  ", Some(1))], Some(3)),
            DomainError::Required { field: "MYCaW concern (in the person's words)" },
        ),
        (
            mycaw(&[("a", Some(7))], Some(3)),
            DomainError::AnswerOutOfRange {
                measure: MeasureKind::Mycaw,
                item: 1,
                value: 7,
                min: 0,
                max: 6,
            },
        ),
        (
            mycaw(&[("a", Some(1))], Some(9)),
            DomainError::AnswerOutOfRange {
                measure: MeasureKind::Mycaw,
                item: 3,
                value: 9,
                min: 0,
                max: 6,
            },
        ),
    ];
    for (answers, expected) in cases {
        assert_eq!(answers.score(), Err(expected), "{:?}", answers.concerns.len());
    }
    // Incomplete follow-up: no change either.
    let baseline = mycaw(&[("a", Some(5))], Some(5));
    let follow_up = mycaw(&[("a", Some(2))], None);
    assert!(matches!(
        mycaw_change(&baseline, &follow_up),
        Err(DomainError::IncompleteQuestionnaire { .. })
    ));
}

#[test]
fn wording_is_exactly_as_domain_md() {
    assert_eq!(ONS4_ITEMS[0], "Overall, how satisfied are you with your life nowadays?");
    assert_eq!(
        ONS4_ITEMS[3],
        "On a scale where 0 is \"not at all anxious\" and 10 is \"completely anxious\", \
         overall, how anxious did you feel yesterday?"
    );
    assert_eq!(SWEMWBS_ITEMS.len(), 7);
    assert_eq!(SWEMWBS_ITEMS[6], "I've been able to make up my own mind about things");
    assert_eq!(SWEMWBS_ANSWERS[0], "None of the time");
    assert_eq!(SWEMWBS_ANSWERS[4], "All of the time");
    assert_eq!(UCLA3_ITEMS[1], "How often do you feel left out?");
    assert_eq!(UCLA3_ANSWERS, ["Hardly ever", "Some of the time", "Often"]);
    assert_eq!(MeasureKind::Swemwbs.item_name(3), "I've been feeling relaxed");
}

#[test]
fn recorded_measure_refuses_a_future_date_and_scores_through_its_answers() {
    use kith_domain::{MeasureId, PersonId, UserId};
    let measure = Measure {
        id: MeasureId::new(),
        person_id: PersonId::new(),
        timing: MeasureTiming::Baseline,
        taken_on: super::today(),
        recorded_by: UserId::new(),
        answers: MeasureAnswers::Ucla3(Ucla3Answers { items: [Some(3), Some(2), Some(1)] }),
    };
    assert!(measure.validate(super::today()).is_ok());
    assert_eq!(measure.score(), Ok(MeasureScore::Ucla3(Ucla3Score { total: 6, lonely: true })));
    let mut future = measure.clone();
    future.taken_on = super::today().succ_opt().unwrap();
    assert!(matches!(future.validate(super::today()), Err(DomainError::DateInFuture { .. })));
    assert!(!format!("{measure:?}").contains("items"));
    assert_eq!(format!("{:?}", measure.answers), "MeasureAnswers(Ucla3, ..)");
}

#[test]
fn improvement_is_positive_when_better_for_every_measure() {
    let ons4 = |items: [u8; 4]| MeasureAnswers::Ons4(Ons4Answers { items: items.map(Some) });
    assert_eq!(
        improvement(&ons4([3, 4, 5, 9]), &ons4([6, 4, 2, 3])).unwrap(),
        Improvement::Ons4 { life_satisfaction: 3, worthwhile: 0, happiness: -3, anxiety: 6 }
    );
    let swemwbs = |item: u8| MeasureAnswers::Swemwbs(SwemwbsAnswers { items: [Some(item); 7] });
    // raw 14 (15.32) -> raw 21 (19.25): +3.93
    assert_eq!(
        improvement(&swemwbs(2), &swemwbs(3)).unwrap(),
        Improvement::Swemwbs { metric_hundredths: 393 }
    );
    let ucla = |items: [u8; 3]| MeasureAnswers::Ucla3(Ucla3Answers { items: items.map(Some) });
    assert_eq!(
        improvement(&ucla([3, 3, 2]), &ucla([1, 2, 2])).unwrap(),
        Improvement::Ucla3 { total: 3 }
    );
    let before = MeasureAnswers::Mycaw(mycaw(&[("walking", Some(5))], Some(4)));
    let after = MeasureAnswers::Mycaw(mycaw(&[("walking", Some(2))], Some(4)));
    assert_eq!(
        improvement(&before, &after).unwrap(),
        Improvement::Mycaw(MycawChange { concern_1: 3, concern_2: None, wellbeing: 0 })
    );
    assert_eq!(
        improvement(&before, &swemwbs(3)),
        Err(DomainError::MeasureKindMismatch {
            baseline: MeasureKind::Mycaw,
            follow_up: MeasureKind::Swemwbs
        })
    );
    let incomplete = MeasureAnswers::Ucla3(Ucla3Answers { items: [Some(1), None, Some(1)] });
    assert_eq!(
        improvement(&ucla([1, 1, 1]), &incomplete),
        Err(DomainError::IncompleteQuestionnaire { measure: MeasureKind::Ucla3, missing: vec![2] })
    );
}

#[test]
fn baseline_and_follow_up_pairing() {
    use kith_domain::{MeasureId, PersonId, UserId};
    let person = PersonId::new();
    let taken = |timing, day, answers| Measure {
        id: MeasureId::new(),
        person_id: person,
        timing,
        taken_on: super::date(2025, 1, day),
        recorded_by: UserId::new(),
        answers,
    };
    let ucla =
        |total_item: u8| MeasureAnswers::Ucla3(Ucla3Answers { items: [Some(total_item); 3] });
    let ons4 = MeasureAnswers::Ons4(Ons4Answers { items: [Some(5); 4] });
    let early_follow_up = taken(MeasureTiming::FollowUp, 1, ucla(1));
    let first = taken(MeasureTiming::Baseline, 2, ucla(3));
    let second = taken(MeasureTiming::Baseline, 3, ucla(2));
    let middle = taken(MeasureTiming::FollowUp, 20, ucla(2));
    let last = taken(MeasureTiming::FollowUp, 28, ucla(1));
    let other_kind = taken(MeasureTiming::FollowUp, 30, ons4);
    assert!(baseline_and_follow_up(std::slice::from_ref(&first), MeasureKind::Ucla3).is_none());
    let all = [last.clone(), other_kind, second, early_follow_up, middle, first.clone()];
    let (baseline, follow_up) = baseline_and_follow_up(&all, MeasureKind::Ucla3).unwrap();
    assert_eq!((baseline.id, follow_up.id), (first.id, last.id));
    assert_eq!(
        improvement(&baseline.answers, &follow_up.answers),
        Ok(Improvement::Ucla3 { total: 6 })
    );
    assert!(baseline_and_follow_up(&all, MeasureKind::Swemwbs).is_none());
}

#[test]
fn swemwbs_table_has_one_row_for_each_raw_total_7_to_35_rising() {
    let raws: Vec<u8> = DOMAIN_MD_SWEMWBS.iter().map(|(raw, _)| *raw).collect();
    assert_eq!(raws, (7..=35).collect::<Vec<u8>>(), "29 rows, every raw total once");
    let from_doc: Vec<u16> = DOMAIN_MD_SWEMWBS
        .iter()
        .map(|(_, metric)| metric.replace('.', "").parse().unwrap())
        .collect();
    assert_eq!(from_doc, SWEMWBS_METRIC_HUNDREDTHS, "the shipped table is domain.md's");
    assert!(from_doc.windows(2).all(|pair| pair[0] < pair[1]), "metric rises with raw");
    assert_eq!((SWEMWBS_RAW_MIN, SWEMWBS_RAW_MAX), (7, 35));
}

#[test]
fn swemwbs_every_conversion_through_the_recorded_measure_and_any_mix_of_items() {
    for (raw, metric) in DOMAIN_MD_SWEMWBS {
        let hundredths: u16 = metric.replace('.', "").parse().unwrap();
        // The same total spread the other way round (answers fill from the last item).
        let mut items = swemwbs_answers_totalling(raw).items;
        items.reverse();
        let answers = MeasureAnswers::Swemwbs(SwemwbsAnswers { items });
        match answers.score().unwrap() {
            MeasureScore::Swemwbs(score) => {
                assert_eq!((score.raw_total, score.metric_hundredths), (raw, hundredths));
                assert!((score.metric - f64::from(hundredths) / 100.0).abs() < 1e-9);
            }
            other => panic!("raw {raw}: {other:?}"),
        }
    }
}

#[test]
fn every_measure_accepts_exactly_its_answer_scale() {
    // domain.md: ONS4 0-10, SWEMWBS 1-5, UCLA-3 1-3, MYCaW 0-6.
    let scales = [
        (MeasureKind::Ons4, 0, 10),
        (MeasureKind::Swemwbs, 1, 5),
        (MeasureKind::Ucla3, 1, 3),
        (MeasureKind::Mycaw, 0, 6),
    ];
    for (measure, min, max) in scales {
        assert_eq!(measure.answer_range(), (min, max), "{measure:?}");
    }
    let with_every = |measure: MeasureKind, value: u8| -> MeasureAnswers {
        match measure {
            MeasureKind::Ons4 => MeasureAnswers::Ons4(Ons4Answers { items: [Some(value); 4] }),
            MeasureKind::Swemwbs => {
                MeasureAnswers::Swemwbs(SwemwbsAnswers { items: [Some(value); 7] })
            }
            MeasureKind::Ucla3 => MeasureAnswers::Ucla3(Ucla3Answers { items: [Some(value); 3] }),
            MeasureKind::Mycaw => MeasureAnswers::Mycaw(mycaw(
                &[("sleep", Some(value)), ("money", Some(value))],
                Some(value),
            )),
        }
    };
    for (measure, min, max) in scales {
        for value in 0..=12u8 {
            let answers = with_every(measure, value);
            let inside = (min..=max).contains(&value);
            assert_eq!(answers.validate().is_ok(), inside, "{measure:?} {value}");
            assert_eq!(answers.score().is_ok(), inside, "{measure:?} {value}");
            if !inside {
                assert!(
                    matches!(
                        answers.score(),
                        Err(DomainError::AnswerOutOfRange { item: 1, min: m, max: x, .. })
                            if (m, x) == (min, max)
                    ),
                    "{measure:?} {value}"
                );
            }
        }
    }
}

#[test]
fn ucla3_every_combination_of_answers() {
    for first in 1..=3u8 {
        for second in 1..=3u8 {
            for third in 1..=3u8 {
                let total = first + second + third;
                let score = Ucla3Answers { items: [Some(first), Some(second), Some(third)] }
                    .score()
                    .unwrap();
                assert_eq!(score, Ucla3Score { total, lonely: total >= 6 });
            }
        }
    }
    assert_eq!(UCLA3_LONELY_FROM, 6);
}

#[test]
fn ons4_anxiety_is_reversed_in_the_change_and_items_never_summed() {
    let ons4 = |items: [u8; 4]| MeasureAnswers::Ons4(Ons4Answers { items: items.map(Some) });
    for before in 0..=10u8 {
        for after in [0u8, 5, 10] {
            let change = improvement(&ons4([before; 4]), &ons4([after; 4])).unwrap();
            let rise = i8::try_from(i16::from(after) - i16::from(before)).unwrap();
            assert_eq!(
                change,
                Improvement::Ons4 {
                    life_satisfaction: rise,
                    worthwhile: rise,
                    happiness: rise,
                    anxiety: -rise
                },
                "{before} -> {after}"
            );
        }
    }
    let json = serde_json::to_value(ons4([1, 2, 3, 3]).score().unwrap()).unwrap();
    assert_eq!(json["life_satisfaction"]["value"], 1);
    assert_eq!(json["anxiety"]["band"], "low");
    assert!(json.get("total").is_none());
}

#[test]
fn no_change_is_computed_from_an_incomplete_questionnaire() {
    let cases = [
        (
            MeasureAnswers::Ons4(Ons4Answers { items: [Some(5); 4] }),
            MeasureAnswers::Ons4(Ons4Answers { items: [Some(5), Some(5), Some(5), None] }),
            MeasureKind::Ons4,
            vec![4],
        ),
        (
            MeasureAnswers::Swemwbs(SwemwbsAnswers { items: [Some(3); 7] }),
            MeasureAnswers::Swemwbs(SwemwbsAnswers {
                items: [None, Some(3), Some(3), Some(3), Some(3), Some(3), None],
            }),
            MeasureKind::Swemwbs,
            vec![1, 7],
        ),
        (
            MeasureAnswers::Ucla3(Ucla3Answers { items: [Some(2); 3] }),
            MeasureAnswers::Ucla3(Ucla3Answers { items: [None; 3] }),
            MeasureKind::Ucla3,
            vec![1, 2, 3],
        ),
        (
            MeasureAnswers::Mycaw(mycaw(&[("sleep", Some(4))], Some(4))),
            MeasureAnswers::Mycaw(mycaw(&[("sleep", None)], Some(2))),
            MeasureKind::Mycaw,
            vec![1],
        ),
    ];
    for (complete, incomplete, measure, missing) in cases {
        let expected = DomainError::IncompleteQuestionnaire { measure, missing };
        assert_eq!(incomplete.score(), Err(expected.clone()), "{measure:?}");
        assert_eq!(improvement(&complete, &incomplete), Err(expected.clone()), "{measure:?}");
        assert_eq!(improvement(&incomplete, &complete), Err(expected), "{measure:?}");
    }
}
