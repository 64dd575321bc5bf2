//! Supervision: comments need words, review marks cover what changed before them, sign-off
//! remarks are optional, and the caseload guidance bands (200 to 250 a year).

use kith_domain::supervision::*;
use kith_domain::{CarePlanId, DischargeId, DomainError, NoteId, PersonId, SessionId, UserId};

use super::at;

#[test]
fn comment_rules_table() {
    let person = PersonId::new();
    let supervisor = UserId::new();
    let note = NoteId::new();
    let cases = [
        ("about the person", CommentAbout::Person, "Good work; consider a carers' group.", None),
        ("about a note", CommentAbout::Note(note), "Please record the escalation.", None),
        ("empty", CommentAbout::Person, "", Some(DomainError::Required { field: "comment" })),
        (
            "blank",
            CommentAbout::Note(note),
            " \n\t ",
            Some(DomainError::Required { field: "comment" }),
        ),
    ];
    for (name, about, body, expected) in cases {
        let written =
            Comment::write(CommentId::new(), person, about, body, supervisor, at(2025, 3, 14, 9));
        assert_eq!(written.as_ref().err(), expected.as_ref(), "{name}");
        if let Ok(comment) = written {
            assert_eq!(comment.body, body.trim(), "{name}");
            assert_eq!(comment.about, about, "{name}");
            assert_eq!(comment.written_by, supervisor, "{name}");
        }
    }
    let comment = Comment::write(
        CommentId::new(),
        person,
        CommentAbout::Person,
        "  Secret words here  ",
        supervisor,
        at(2025, 3, 14, 9),
    )
    .unwrap();
    assert_eq!(comment.body, "Secret words here");
    let shown = format!("{comment:?}");
    assert!(!shown.contains("Secret"), "Debug must not show the comment: {shown}");
}

#[test]
fn what_a_comment_is_about_names_its_record() {
    let note = NoteId::new();
    let plan = CarePlanId::new();
    let discharge = DischargeId::new();
    let session = SessionId::new();
    let cases = [
        (CommentAbout::Person, None, "person"),
        (CommentAbout::Note(note), Some(ReviewedRecord::Note(note)), "note"),
        (CommentAbout::CarePlan(plan), Some(ReviewedRecord::CarePlan(plan)), "care_plan"),
        (
            CommentAbout::Discharge(discharge),
            Some(ReviewedRecord::Discharge(discharge)),
            "discharge",
        ),
        (CommentAbout::Session(session), Some(ReviewedRecord::Session(session)), "session"),
    ];
    for (about, record, kind) in cases {
        assert_eq!(about.record(), record, "{kind}");
        assert_eq!(about.kind(), kind);
        let json = serde_json::to_value(about).unwrap();
        assert_eq!(json["kind"], kind, "the serialised kind is the same word");
        let back: CommentAbout = serde_json::from_value(json).unwrap();
        assert_eq!(back, about);
    }
    assert_eq!(ReviewedRecord::Note(note).record_id(), note.as_uuid());
    assert_eq!(SignedOffRecord::Discharge(discharge).record_id(), discharge.as_uuid());
    assert_eq!(SignedOffRecord::CarePlan(plan).kind(), "care_plan");
}

#[test]
fn a_review_mark_covers_what_changed_before_it() {
    let person = PersonId::new();
    let other_person = PersonId::new();
    let supervisor = UserId::new();
    let plan = ReviewedRecord::CarePlan(CarePlanId::new());
    let note = ReviewedRecord::Note(NoteId::new());
    let plan_mark =
        ReviewMark::new(ReviewMarkId::new(), person, plan, supervisor, at(2025, 3, 14, 10));
    let person_mark = ReviewMark::new(
        ReviewMarkId::new(),
        person,
        ReviewedRecord::Person(person),
        supervisor,
        at(2025, 3, 14, 12),
    );
    let cases = [
        // (what, record, person, changed at, marks, needs review)
        ("no marks", plan, person, at(2025, 3, 14, 9), vec![], true),
        (
            "changed before the mark",
            plan,
            person,
            at(2025, 3, 14, 9),
            vec![plan_mark.clone()],
            false,
        ),
        ("changed at the mark", plan, person, at(2025, 3, 14, 10), vec![plan_mark.clone()], false),
        (
            "changed after the mark",
            plan,
            person,
            at(2025, 3, 14, 11),
            vec![plan_mark.clone()],
            true,
        ),
        ("another record's mark", note, person, at(2025, 3, 14, 9), vec![plan_mark.clone()], true),
        (
            "whole person, before",
            note,
            person,
            at(2025, 3, 14, 11),
            vec![person_mark.clone()],
            false,
        ),
        ("whole person, after", note, person, at(2025, 3, 14, 13), vec![person_mark.clone()], true),
        (
            "another person's mark",
            note,
            other_person,
            at(2025, 3, 14, 9),
            vec![person_mark.clone()],
            true,
        ),
        (
            "latest of two marks",
            plan,
            person,
            at(2025, 3, 14, 11),
            vec![plan_mark.clone(), person_mark.clone()],
            false,
        ),
    ];
    for (name, record, whose, changed_at, marks, expected) in cases {
        assert_eq!(needs_review(whose, record, changed_at, &marks), expected, "{name}");
    }
}

#[test]
fn a_blank_sign_off_remark_is_no_remark() {
    let person = PersonId::new();
    let plan = SignedOffRecord::CarePlan(CarePlanId::new());
    let cases = [
        (None, None),
        (Some(""), None),
        (Some("  \n"), None),
        (Some(" Goals are in her words. "), Some("Goals are in her words.")),
    ];
    for (remark, expected) in cases {
        let sign_off = SignOff::sign(
            SignOffId::new(),
            person,
            plan,
            UserId::new(),
            at(2025, 3, 14, 9),
            remark,
        );
        assert_eq!(sign_off.remark.as_deref(), expected, "{remark:?}");
        assert_eq!(sign_off.record, plan);
    }
    let sign_off = SignOff::sign(
        SignOffId::new(),
        person,
        plan,
        UserId::new(),
        at(2025, 3, 14, 9),
        Some("Private remark"),
    );
    assert!(!format!("{sign_off:?}").contains("Private"), "Debug must not show the remark");
}

#[test]
fn caseload_guidance_bands() {
    let cases = [
        (0, CaseloadBand::BelowGuidance),
        (199, CaseloadBand::BelowGuidance),
        (200, CaseloadBand::WithinGuidance),
        (250, CaseloadBand::WithinGuidance),
        (251, CaseloadBand::AboveGuidance),
        (300, CaseloadBand::AboveGuidance),
        (301, CaseloadBand::WellAboveGuidance),
        (1000, CaseloadBand::WellAboveGuidance),
    ];
    for (people, band) in cases {
        assert_eq!(caseload_band(people), band, "{people} people a year");
    }
    assert_eq!((GUIDANCE_PEOPLE_PER_YEAR_MIN, GUIDANCE_PEOPLE_PER_YEAR_MAX), (200, 250));
}

#[test]
fn supervision_ids_parse_and_name_themselves() {
    let id = CommentId::new();
    assert_eq!(id.to_string().parse::<CommentId>().unwrap(), id);
    assert_eq!(
        "nonsense".parse::<SignOffId>().unwrap_err(),
        DomainError::InvalidId { kind: "sign-off" }
    );
    assert_eq!(ReviewMarkId::LABEL, "review mark");
}
