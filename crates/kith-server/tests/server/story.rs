//! The story of a practice: link workers record people, the supervisor sees everything,
//! people are reassigned, devices join with an invite, and access is taken away.

use kith_protocol::{
    CreateInviteRequest, CreateInviteResponse, Envelope, ErrorBody, ErrorCode, PersonId,
    PullResponse, PushOutcome, RecordKind, RedeemInviteRequest, RedeemInviteResponse,
    RefusalReason, Role, ScopeResponse, MAX_CLOCK_AHEAD_MS, PROTOCOL_VERSION_HEADER,
};
use kith_server::secrets;
use reqwest::{Method, StatusCode};
use sha2::{Digest, Sha256};

use crate::support::{Backend, TestServer};

fn accepted_seq(outcome: &PushOutcome) -> u64 {
    match outcome {
        PushOutcome::Accepted { seq } => *seq,
        PushOutcome::Refused { reason, message } => panic!("refused: {reason:?} {message}"),
    }
}

fn refusal(outcome: &PushOutcome) -> RefusalReason {
    match outcome {
        PushOutcome::Refused { reason, .. } => *reason,
        PushOutcome::Accepted { seq } => panic!("accepted with seq {seq}, expected a refusal"),
    }
}

async fn error_of(response: reqwest::Response) -> (StatusCode, ErrorBody) {
    let status = response.status();
    (status, response.json().await.expect("JSON error body"))
}

pub async fn practice_story(backend: Backend) {
    let server = TestServer::start(backend).await;
    let practice = server.practice("Riverside Surgery").await;
    let mut supervisor = server.member(practice, "dr-okafor", Role::Supervisor).await;
    let admin = server.member(practice, "admin", Role::Admin).await;
    let (_, alex_password) = server.add_user(practice, "alex", Role::LinkWorker).await;
    let mut alex = server.enrol("alex", &alex_password).await;
    let alex_second_laptop = server.enrol("alex", &alex_password).await;
    let mut blake = server.member(practice, "blake", Role::LinkWorker).await;

    // Alex records a new person and a note: the person joins Alex's caseload.
    let person = PersonId::new_v7();
    let create = alex.op(RecordKind::Person, Some(person), b"sealed person".to_vec());
    let note = alex.op(RecordKind::Note, Some(person), b"sealed note".to_vec());
    let pushed = alex.push(vec![create.clone(), note.clone()]).await;
    let seqs: Vec<u64> = pushed.results.iter().map(|r| accepted_seq(&r.outcome)).collect();
    assert_eq!(seqs, vec![1, 2]);
    assert!(pushed.server_time_ms > 0);

    // Replaying the same push (a lost response) stores nothing twice.
    let replay = alex.push(vec![create.clone(), note.clone()]).await;
    let replay_seqs: Vec<u64> = replay.results.iter().map(|r| accepted_seq(&r.outcome)).collect();
    assert_eq!(replay_seqs, seqs);

    // Blake may not write to Alex's person, nor re-create them.
    let intrusion = blake.op(RecordKind::Note, Some(person), b"x".to_vec());
    let recreate = blake.op(RecordKind::Person, Some(person), b"x".to_vec());
    let refused = blake.push(vec![intrusion, recreate]).await;
    assert_eq!(refusal(&refused.results[0].outcome), RefusalReason::OutOfScope);
    assert_eq!(refusal(&refused.results[1].outcome), RefusalReason::OutOfScope);

    // A clock more than five minutes ahead is refused (not clamped).
    let mut ahead = alex.op(RecordKind::Note, Some(person), b"future".to_vec());
    ahead.hlc.wall_ms = crate::support::now_ms() + MAX_CLOCK_AHEAD_MS + 60_000;
    let refused = alex.push(vec![ahead]).await;
    assert_eq!(refusal(&refused.results[0].outcome), RefusalReason::ClockAhead);

    // A practice-wide directory entry reaches everyone.
    let directory = blake.op(RecordKind::DirectoryEntry, None, b"walking group".to_vec());
    assert_eq!(accepted_seq(&blake.push(vec![directory.clone()]).await.results[0].outcome), 3);

    // Alex's other laptop sees the person, the note and the directory entry.
    let (seen, cursor) = alex_second_laptop.pull_all(0, 100).await;
    let seen_ids: Vec<_> = seen.iter().map(|s| s.operation.op_id).collect();
    assert_eq!(seen_ids, vec![create.op_id, note.op_id, directory.op_id]);
    assert_eq!(seen[0].operation, create, "operations come back exactly as pushed");
    assert_eq!(cursor, 3);
    // Blake sees only the directory entry.
    let (blake_seen, _) = blake.pull_all(0, 100).await;
    assert_eq!(
        blake_seen.iter().map(|s| s.operation.op_id).collect::<Vec<_>>(),
        vec![directory.op_id]
    );
    // The supervisor sees everything, with a checksum they can recompute.
    let page = supervisor.pull_page(0, 100, true).await;
    assert_eq!(page.operations.len(), 3);
    let checksum = page.scope_checksum.expect("checksum asked for");
    let mut hasher = Sha256::new();
    for stored in &page.operations {
        hasher.update(stored.seq.to_be_bytes());
        hasher.update(stored.operation.op_id.0.as_bytes());
    }
    assert_eq!(checksum.sha256, secrets::hex(&hasher.finalize()));
    assert_eq!((checksum.upto, checksum.count), (3, 3));
    // Blake's checksum covers only what Blake sees.
    let blake_checksum = blake.pull_page(0, 100, true).await.scope_checksum.unwrap();
    assert_eq!(blake_checksum.count, 1);
    assert_ne!(blake_checksum.sha256, checksum.sha256);

    // Paging: 25 more entries come in pages of 10, in order, with no gaps.
    let batch: Vec<_> =
        (0..25).map(|i| supervisor.op(RecordKind::DirectoryEntry, None, vec![i])).collect();
    supervisor.push(batch).await;
    let mut since = 0;
    let mut pages = 0;
    let mut all_seqs = Vec::new();
    loop {
        let page = supervisor.pull_page(since, 10, false).await;
        pages += 1;
        all_seqs.extend(page.operations.iter().map(|s| s.seq));
        since = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(all_seqs, (1..=28).collect::<Vec<u64>>());

    // The supervisor reassigns the person to Blake: both link workers must resync.
    let response = supervisor
        .request(Method::PUT, &format!("/v1/assignments/{person}"))
        .json(&serde_json::json!({ "link_worker_id": blake.user.user_id }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let page: PullResponse = alex.pull_page(cursor, 100, false).await;
    assert!(page.resync_required && page.operations.is_empty());
    let scope: ScopeResponse =
        alex.request(Method::GET, "/v1/sync/scope").send().await.unwrap().json().await.unwrap();
    assert_eq!(scope, ScopeResponse { whole_practice: false, people: vec![] });
    let page = alex.pull_page(0, 1000, false).await;
    assert!(!page.resync_required, "pulling from zero acknowledges the resync");
    assert!(page.operations.iter().all(|s| s.operation.person_id.is_none()));
    let page = blake.pull_page(3, 100, false).await;
    assert!(page.resync_required);
    let (blake_seen, _) = blake.pull_all(0, 100).await;
    assert!(blake_seen.iter().any(|s| s.operation.op_id == note.op_id));
    // ...and now Blake may write to the person, and Alex may not.
    let blake_note = blake.op(RecordKind::Note, Some(person), b"b".to_vec());
    accepted_seq(&blake.push(vec![blake_note]).await.results[0].outcome);
    let alex_note = alex.op(RecordKind::Note, Some(person), b"a".to_vec());
    assert_eq!(
        refusal(&alex.push(vec![alex_note]).await.results[0].outcome),
        RefusalReason::OutOfScope
    );

    // Invites: the supervisor's app sends only the code's hash and the wrapped key.
    let code = "KITH-7Q2M-XR4P-99ZD-LL3C";
    let wrapped = Envelope(vec![42; 60]);
    let invite = |code_hash: String, seconds: u64| CreateInviteRequest {
        code_hash,
        wrapped_practice_key: wrapped.clone(),
        expires_in_seconds: Some(seconds),
    };
    let response = supervisor
        .request(Method::POST, "/v1/invites")
        .json(&invite(secrets::invite_code_hash(code), 3600))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let _: CreateInviteResponse = response.json().await.unwrap();
    let redeem = |code: &str| {
        blake
            .request(Method::POST, "/v1/invites/redeem")
            .json(&RedeemInviteRequest { code: code.into() })
    };
    let (status, body) = error_of(redeem("wrong code").send().await.unwrap()).await;
    assert_eq!((status, body.code), (StatusCode::NOT_FOUND, ErrorCode::NotFound));
    let redeemed: RedeemInviteResponse = redeem(code).send().await.unwrap().json().await.unwrap();
    assert_eq!(redeemed.wrapped_practice_key, wrapped);
    let (status, _) = error_of(redeem(code).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an invite is single use");
    // An expired invite no longer works.
    let short_code = "KITH-SHORT-LIVED-CODE-0001";
    let response = supervisor
        .request(Method::POST, "/v1/invites")
        .json(&invite(secrets::invite_code_hash(short_code), 1))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, _) = error_of(redeem(short_code).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an expired invite is refused");

    // The admin revokes Alex's second laptop: refused at its next request.
    let response = admin
        .request(Method::POST, &format!("/v1/devices/{}/revoke", alex_second_laptop.device_id))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, body) =
        error_of(alex_second_laptop.request(Method::GET, "/v1/sync/pull").send().await.unwrap())
            .await;
    assert_eq!((status, body.code), (StatusCode::UNAUTHORIZED, ErrorCode::DeviceRevoked));
    // Alex's first laptop still works.
    assert_eq!(alex.request(Method::GET, "/v1/me").send().await.unwrap().status(), StatusCode::OK);

    // The admin disables Blake: every Blake device is refused, and Blake cannot enrol again.
    let response = admin
        .request(Method::POST, &format!("/v1/users/{}/disable", blake.user.user_id))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, body) = error_of(blake.request(Method::GET, "/v1/me").send().await.unwrap()).await;
    assert_eq!((status, body.code), (StatusCode::FORBIDDEN, ErrorCode::AccountDisabled));

    // An outdated app is told to update.
    let response = server
        .http
        .get(format!("{}/v1/me", server.base))
        .bearer_auth(&alex.token)
        .send()
        .await
        .unwrap();
    let (status, body) = error_of(response).await;
    assert_eq!((status, body.code), (StatusCode::UPGRADE_REQUIRED, ErrorCode::UpdateNeeded));
    assert!(body.message.contains("update needed"), "{}", body.message);
    let response = server
        .http
        .get(format!("{}/v1/me", server.base))
        .header(PROTOCOL_VERSION_HEADER, "0")
        .bearer_auth(&alex.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UPGRADE_REQUIRED);

    // The metrics page counts what happened, without personal data.
    let metrics = server
        .http
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("kith_push_requests_total"));
    assert!(!metrics.contains("alex"));
    let check = server.state.storage().check().await.unwrap();
    assert!(check.is_empty(), "{check:?}");
}
