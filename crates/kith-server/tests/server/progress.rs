//! Pull progress (`head_seq`, scoped to what the caller may see) and the stored-operations
//! counter (replays are not counted twice).

use std::sync::atomic::Ordering;

use kith_protocol::{PersonId, PushOutcome, RecordKind, Role};
use reqwest::{Method, StatusCode};

use crate::support::{Backend, TestServer};

fn all_accepted(results: &[kith_protocol::PushResult]) -> Vec<u64> {
    results
        .iter()
        .map(|result| match &result.outcome {
            PushOutcome::Accepted { seq } => *seq,
            PushOutcome::Refused { reason, message } => panic!("refused: {reason:?} {message}"),
        })
        .collect()
}

pub async fn pull_reports_a_scoped_head_and_stored_counts_skip_replays(backend: Backend) {
    let server = TestServer::start(backend).await;
    let practice = server.practice("Progress Surgery").await;
    let other_practice = server.practice("Elsewhere Surgery").await;
    let mut supervisor = server.member(practice, "sup", Role::Supervisor).await;
    let mut alex = server.member(practice, "alex", Role::LinkWorker).await;
    let mut blake = server.member(practice, "blake", Role::LinkWorker).await;
    let mut elsewhere = server.member(other_practice, "elsewhere", Role::Supervisor).await;

    // Nothing visible yet: the head is 0 and the caller is up to date.
    let empty = alex.pull_page(0, 10, false).await;
    assert_eq!((empty.head_seq, empty.next_cursor, empty.has_more), (Some(0), 0, false));

    // seq 1: a practice-wide record; 2-3: Alex's person; 4-8: Blake's person.
    let directory = supervisor.op(RecordKind::DirectoryEntry, None, b"d".to_vec());
    assert_eq!(all_accepted(&supervisor.push(vec![directory]).await.results), vec![1]);
    let alex_person = PersonId::new_v7();
    let alex_ops = vec![
        alex.op(RecordKind::Person, Some(alex_person), b"p".to_vec()),
        alex.op(RecordKind::Note, Some(alex_person), b"n".to_vec()),
    ];
    assert_eq!(all_accepted(&alex.push(alex_ops.clone()).await.results), vec![2, 3]);
    let blake_person = PersonId::new_v7();
    let mut blake_ops = vec![blake.op(RecordKind::Person, Some(blake_person), b"p".to_vec())];
    for _ in 0..4 {
        blake_ops.push(blake.op(RecordKind::Note, Some(blake_person), b"n".to_vec()));
    }
    assert_eq!(all_accepted(&blake.push(blake_ops).await.results), vec![4, 5, 6, 7, 8]);
    // Another practice's activity has its own sequence and never shows in these heads.
    let other_ops =
        (0..6).map(|_| elsewhere.op(RecordKind::DirectoryEntry, None, vec![1])).collect();
    assert_eq!(all_accepted(&elsewhere.push(other_ops).await.results), vec![1, 2, 3, 4, 5, 6]);

    // Alex's head counts only what Alex may see (seq 3), not Blake's caseload (up to 8).
    let mut cursor = 0;
    let mut pages = 0;
    loop {
        let page = alex.pull_page(cursor, 1, false).await;
        assert_eq!(page.head_seq, Some(3), "page after {cursor}");
        pages += 1;
        cursor = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!((cursor, pages), (3, 3), "done exactly when the cursor reaches the head");
    let blake_page = blake.pull_page(0, 2, false).await;
    assert_eq!(blake_page.head_seq, Some(8));
    assert!(blake_page.has_more);
    let supervisor_page = supervisor.pull_page(0, 1000, false).await;
    assert_eq!(supervisor_page.head_seq, Some(8));
    assert_eq!(supervisor_page.next_cursor, 8);
    assert_eq!(elsewhere.pull_page(0, 1000, false).await.head_seq, Some(6));

    // Blake's person moves to Alex: Alex is told to resync (no head on that answer), and
    // from zero Alex's head now covers Blake's former person.
    let response = supervisor
        .request(Method::PUT, &format!("/v1/assignments/{blake_person}"))
        .json(&serde_json::json!({ "link_worker_id": alex.user.user_id }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let resync = alex.pull_page(cursor, 10, false).await;
    assert!(resync.resync_required);
    assert_eq!(resync.head_seq, None);
    assert_eq!(alex.pull_page(0, 10, false).await.head_seq, Some(8));
    // ...and Blake, carrying no one now, sees only the practice-wide record.
    let blake_resync = blake.pull_page(0, 10, false).await;
    assert_eq!(blake_resync.head_seq, Some(1));
    assert_eq!(blake_resync.operations.len(), 1);

    // The stored counter counts each operation once: 1 + 2 + 5 + 6 so far; a replay of
    // Alex's push is accepted again but stores nothing.
    let stored = || server.state.metrics().operations_stored.load(Ordering::Relaxed);
    assert_eq!(stored(), 14);
    assert_eq!(all_accepted(&alex.push(alex_ops).await.results), vec![2, 3]);
    assert_eq!(stored(), 14, "a replay is not stored again");
    let fresh = alex.op(RecordKind::Note, Some(alex_person), b"n2".to_vec());
    assert_eq!(all_accepted(&alex.push(vec![fresh]).await.results), vec![9]);
    assert_eq!(stored(), 15);
    let metrics = server.http.get(format!("{}/metrics", server.base)).send().await.unwrap();
    let text = metrics.text().await.unwrap();
    assert!(text.contains("\nkith_operations_stored_total 15\n"), "{text}");
}
