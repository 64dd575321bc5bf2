//! Every endpoint against every kind of caller: the status each gets, and bodies checked so
//! that no record, user or device crosses a caseload or practice boundary; and every kind of
//! id answered alike whether it exists in another practice or nowhere.

use std::collections::HashSet;

use kith_protocol::{
    Assignment, CreateInviteRequest, DeviceInfo, Envelope, ErrorBody, OperationId, PersonId,
    PullResponse, PushOutcome, PushRequest, PushResponse, RecordKind, RefusalReason, Role,
    ScopeResponse, UserInfo,
};
use kith_server::secrets;
use reqwest::{Method, StatusCode};

use crate::support::{Backend, Device, TestServer};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    NoToken,
    BadToken,
    RevokedDevice,
    DisabledUser,
    LinkWorkerA,
    LinkWorkerB,
    Supervisor,
    OtherPracticeSupervisor,
    Admin,
}

const EVERYONE: [Who; 9] = [
    Who::NoToken,
    Who::BadToken,
    Who::RevokedDevice,
    Who::DisabledUser,
    Who::LinkWorkerA,
    Who::LinkWorkerB,
    Who::Supervisor,
    Who::OtherPracticeSupervisor,
    Who::Admin,
];

struct World {
    server: TestServer,
    link_worker_a: Device,
    link_worker_b: Device,
    supervisor: Device,
    other_supervisor: Device,
    admin: Device,
    revoked: Device,
    disabled: Device,
    person_a: PersonId,
    practice_a_ops: HashSet<OperationId>,
    person_a_ops: HashSet<OperationId>,
    practice_a_users: HashSet<String>,
}

impl World {
    fn device(&self, who: Who) -> Option<&Device> {
        match who {
            Who::NoToken | Who::BadToken => None,
            Who::RevokedDevice => Some(&self.revoked),
            Who::DisabledUser => Some(&self.disabled),
            Who::LinkWorkerA => Some(&self.link_worker_a),
            Who::LinkWorkerB => Some(&self.link_worker_b),
            Who::Supervisor => Some(&self.supervisor),
            Who::OtherPracticeSupervisor => Some(&self.other_supervisor),
            Who::Admin => Some(&self.admin),
        }
    }

    fn request(&self, who: Who, method: Method, path: &str) -> reqwest::RequestBuilder {
        let builder = self.server.request(method, path);
        match who {
            Who::NoToken => builder,
            Who::BadToken => builder.bearer_auth(secrets::new_device_token()),
            _ => builder.bearer_auth(&self.device(who).unwrap().token),
        }
    }
}

async fn build_world(backend: Backend) -> World {
    let server = TestServer::start(backend).await;
    let practice = server.practice("Practice A").await;
    let other_practice = server.practice("Practice B").await;
    let mut link_worker_a = server.member(practice, "lw-a", Role::LinkWorker).await;
    let link_worker_b = server.member(practice, "lw-b", Role::LinkWorker).await;
    let mut supervisor = server.member(practice, "sup-a", Role::Supervisor).await;
    let mut other_supervisor = server.member(other_practice, "sup-b", Role::Supervisor).await;
    let admin = server.member(practice, "admin-a", Role::Admin).await;
    let revoked = server.member(practice, "lw-revoked", Role::LinkWorker).await;
    server.state.storage().revoke_device(revoked.device_id).await.unwrap();
    let disabled = server.member(practice, "lw-disabled", Role::LinkWorker).await;
    server.state.storage().set_user_disabled(disabled.user.user_id, true).await.unwrap();

    // Records: a person of link worker A, and a supervisor comment on them.
    let person_a = PersonId::new_v7();
    let ops = vec![
        link_worker_a.op(RecordKind::Person, Some(person_a), vec![1]),
        link_worker_a.op(RecordKind::Note, Some(person_a), vec![2]),
    ];
    let mut person_a_ops: HashSet<_> = ops.iter().map(|op| op.op_id).collect();
    link_worker_a.push(ops).await;
    let comment = supervisor.op(RecordKind::Comment, Some(person_a), vec![3]);
    person_a_ops.insert(comment.op_id);
    supervisor.push(vec![comment]).await;
    let practice_a_ops = person_a_ops.clone();
    // The other practice has its own records, including one that claims the same person id.
    let foreign = vec![
        other_supervisor.op(RecordKind::Person, Some(person_a), vec![9]),
        other_supervisor.op(RecordKind::DirectoryEntry, None, vec![9]),
    ];
    other_supervisor.push(foreign).await;
    let practice_a_users =
        ["lw-a", "lw-b", "sup-a", "admin-a", "lw-revoked", "lw-disabled"].map(String::from).into();
    World {
        server,
        link_worker_a,
        link_worker_b,
        supervisor,
        other_supervisor,
        admin,
        revoked,
        disabled,
        person_a,
        practice_a_ops,
        person_a_ops,
        practice_a_users,
    }
}

/// The status every unauthenticated or refused caller gets, whatever the endpoint.
fn gatekeeper(who: Who) -> Option<StatusCode> {
    match who {
        Who::NoToken | Who::BadToken | Who::RevokedDevice => Some(StatusCode::UNAUTHORIZED),
        Who::DisabledUser => Some(StatusCode::FORBIDDEN),
        _ => None,
    }
}

pub async fn authorization_matrix(backend: Backend) {
    let mut world = build_world(backend).await;
    let mut failures = Vec::new();
    let mut expect = |endpoint: &str, who: Who, got: StatusCode, want: StatusCode| {
        if got != want {
            failures.push(format!("{endpoint} as {who:?}: got {got}, want {want}"));
        }
    };

    for who in EVERYONE {
        let role_status = |allowed: &[Who], ok: StatusCode| {
            gatekeeper(who).unwrap_or(if allowed.contains(&who) {
                ok
            } else {
                StatusCode::FORBIDDEN
            })
        };
        let everyone_signed_in = [
            Who::LinkWorkerA,
            Who::LinkWorkerB,
            Who::Supervisor,
            Who::OtherPracticeSupervisor,
            Who::Admin,
        ];
        let record_roles =
            [Who::LinkWorkerA, Who::LinkWorkerB, Who::Supervisor, Who::OtherPracticeSupervisor];

        // GET /v1/me
        let response = world.request(who, Method::GET, "/v1/me").send().await.unwrap();
        expect(
            "GET /v1/me",
            who,
            response.status(),
            role_status(&everyone_signed_in, StatusCode::OK),
        );
        check_error_body(response).await;

        // GET /v1/devices: a link worker sees only their own; an admin only their practice's.
        let response = world.request(who, Method::GET, "/v1/devices").send().await.unwrap();
        expect(
            "GET /v1/devices",
            who,
            response.status(),
            role_status(&everyone_signed_in, StatusCode::OK),
        );
        if response.status() == StatusCode::OK {
            let devices: Vec<DeviceInfo> = response.json().await.unwrap();
            let me = world.device(who).unwrap();
            if who == Who::Admin {
                assert!(devices.iter().all(|d| d.device_id != world.other_supervisor.device_id));
                assert!(devices.len() >= 6);
            } else {
                assert!(
                    devices.iter().all(|d| d.user_id == me.user.user_id),
                    "{who:?} saw others' devices"
                );
            }
        } else {
            check_error_body(response).await;
        }

        // POST /v1/devices/{id}/revoke on a spare device of link worker A.
        let spare = world.server.enrol("lw-a", "lw-a-password-123").await;
        let path = format!("/v1/devices/{}/revoke", spare.device_id);
        let want = gatekeeper(who).unwrap_or(match who {
            Who::LinkWorkerA | Who::Admin => StatusCode::NO_CONTENT,
            _ => StatusCode::NOT_FOUND,
        });
        let response = world.request(who, Method::POST, &path).send().await.unwrap();
        expect("POST /v1/devices/{id}/revoke", who, response.status(), want);
        let spare_works =
            spare.request(Method::GET, "/v1/me").send().await.unwrap().status() == StatusCode::OK;
        assert_eq!(spare_works, want != StatusCode::NO_CONTENT, "revocation by {who:?}");

        // GET /v1/users
        let response = world.request(who, Method::GET, "/v1/users").send().await.unwrap();
        expect(
            "GET /v1/users",
            who,
            response.status(),
            role_status(
                &[Who::Supervisor, Who::OtherPracticeSupervisor, Who::Admin],
                StatusCode::OK,
            ),
        );
        if response.status() == StatusCode::OK {
            let users: Vec<UserInfo> = response.json().await.unwrap();
            let names: HashSet<String> = users.into_iter().map(|u| u.username).collect();
            if who == Who::OtherPracticeSupervisor {
                assert!(names.is_disjoint(&world.practice_a_users), "users crossed practices");
            } else {
                assert!(!names.contains("sup-b"), "users crossed practices");
            }
        }

        // POST /v1/users
        let username = format!("new-{who:?}").to_lowercase();
        let response = world
            .request(who, Method::POST, "/v1/users")
            .json(&serde_json::json!({"username": username, "password": "a long password", "role": "link_worker"}))
            .send()
            .await
            .unwrap();
        expect(
            "POST /v1/users",
            who,
            response.status(),
            role_status(&[Who::Admin], StatusCode::CREATED),
        );

        // POST /v1/users/{id}/disable on a spare user of practice A.
        let (spare_user, _) = world
            .server
            .add_user(
                world.supervisor.user.practice_id,
                &format!("spare-{who:?}").to_lowercase(),
                Role::LinkWorker,
            )
            .await;
        let path = format!("/v1/users/{}/disable", spare_user.user_id);
        let response = world.request(who, Method::POST, &path).send().await.unwrap();
        expect(
            "POST /v1/users/{id}/disable",
            who,
            response.status(),
            role_status(&[Who::Admin], StatusCode::NO_CONTENT),
        );
        let response = world.other_admin_like_disable(&spare_user).await;
        let _ = response;

        // GET /v1/assignments
        let response = world.request(who, Method::GET, "/v1/assignments").send().await.unwrap();
        expect(
            "GET /v1/assignments",
            who,
            response.status(),
            role_status(&record_roles, StatusCode::OK),
        );
        if response.status() == StatusCode::OK {
            let assignments: Vec<Assignment> = response.json().await.unwrap();
            let sees_person_a = assignments.iter().any(|a| {
                a.person_id == world.person_a
                    && a.link_worker_id == world.link_worker_a.user.user_id
            });
            assert_eq!(
                sees_person_a,
                matches!(who, Who::LinkWorkerA | Who::Supervisor),
                "assignments as {who:?}"
            );
        }

        // PUT /v1/assignments/{person}: keep person A with link worker A.
        let path = format!("/v1/assignments/{}", world.person_a);
        let response = world
            .request(who, Method::PUT, &path)
            .json(&serde_json::json!({"link_worker_id": world.link_worker_a.user.user_id}))
            .send()
            .await
            .unwrap();
        let want = gatekeeper(who).unwrap_or(match who {
            Who::Supervisor => StatusCode::NO_CONTENT,
            // Link worker A is not in the other practice.
            Who::OtherPracticeSupervisor => StatusCode::NOT_FOUND,
            _ => StatusCode::FORBIDDEN,
        });
        expect("PUT /v1/assignments/{person}", who, response.status(), want);

        // POST /v1/invites
        let code = format!("invite-code-for-{who:?}-{}", uuid::Uuid::new_v4());
        let response = world
            .request(who, Method::POST, "/v1/invites")
            .json(&CreateInviteRequest {
                code_hash: secrets::invite_code_hash(&code),
                wrapped_practice_key: Envelope(vec![7; 40]),
                expires_in_seconds: None,
            })
            .send()
            .await
            .unwrap();
        expect(
            "POST /v1/invites",
            who,
            response.status(),
            role_status(&[Who::Supervisor, Who::OtherPracticeSupervisor], StatusCode::CREATED),
        );

        // POST /v1/invites/redeem with a live code of practice A.
        let code = format!("practice-a-code-{}", uuid::Uuid::new_v4());
        let created = world
            .supervisor
            .request(Method::POST, "/v1/invites")
            .json(&CreateInviteRequest {
                code_hash: secrets::invite_code_hash(&code),
                wrapped_practice_key: Envelope(vec![8; 40]),
                expires_in_seconds: None,
            })
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::CREATED);
        let response = world
            .request(who, Method::POST, "/v1/invites/redeem")
            .json(&serde_json::json!({"code": code}))
            .send()
            .await
            .unwrap();
        let want = gatekeeper(who).unwrap_or(match who {
            Who::LinkWorkerA | Who::LinkWorkerB | Who::Supervisor => StatusCode::OK,
            Who::OtherPracticeSupervisor => StatusCode::NOT_FOUND,
            _ => StatusCode::FORBIDDEN,
        });
        expect("POST /v1/invites/redeem", who, response.status(), want);

        // POST /v1/sync/push: a note for person A.
        let push_status;
        let mut outcome = None;
        if let Some(device) = world.device(who) {
            let op = {
                let mut copy = Device {
                    token: device.token.clone(),
                    device_id: device.device_id,
                    user: device.user.clone(),
                    base: device.base.clone(),
                    http: device.http.clone(),
                    next_seq: 1000 + EVERYONE.iter().position(|w| *w == who).unwrap() as u64,
                };
                copy.op(RecordKind::Note, Some(world.person_a), vec![5])
            };
            let response = world
                .request(who, Method::POST, "/v1/sync/push")
                .json(&PushRequest { operations: vec![op.clone()] })
                .send()
                .await
                .unwrap();
            push_status = response.status();
            if push_status == StatusCode::OK {
                let body: PushResponse = response.json().await.unwrap();
                outcome = Some(body.results[0].outcome.clone());
                if matches!(body.results[0].outcome, PushOutcome::Accepted { .. }) {
                    if who == Who::OtherPracticeSupervisor {
                        // Stored in the other practice only.
                    } else {
                        world.person_a_ops.insert(op.op_id);
                        world.practice_a_ops.insert(op.op_id);
                    }
                }
            }
        } else {
            let response = world
                .request(who, Method::POST, "/v1/sync/push")
                .json(&PushRequest { operations: vec![] })
                .send()
                .await
                .unwrap();
            push_status = response.status();
        }
        expect("POST /v1/sync/push", who, push_status, role_status(&record_roles, StatusCode::OK));
        match who {
            Who::LinkWorkerA | Who::Supervisor | Who::OtherPracticeSupervisor => {
                assert!(
                    matches!(outcome, Some(PushOutcome::Accepted { .. })),
                    "{who:?}: {outcome:?}"
                )
            }
            Who::LinkWorkerB => assert!(
                matches!(
                    outcome,
                    Some(PushOutcome::Refused { reason: RefusalReason::OutOfScope, .. })
                ),
                "{outcome:?}"
            ),
            _ => {}
        }

        // GET /v1/sync/pull: what crosses which boundary.
        let response = world
            .request(who, Method::GET, "/v1/sync/pull?since=0&limit=1000")
            .send()
            .await
            .unwrap();
        expect(
            "GET /v1/sync/pull",
            who,
            response.status(),
            role_status(&record_roles, StatusCode::OK),
        );
        if response.status() == StatusCode::OK {
            let page: PullResponse = response.json().await.unwrap();
            let seen: HashSet<OperationId> =
                page.operations.iter().map(|s| s.operation.op_id).collect();
            match who {
                Who::LinkWorkerA | Who::Supervisor => {
                    assert!(
                        world.person_a_ops.is_subset(&seen),
                        "{who:?} misses person A's records"
                    )
                }
                Who::LinkWorkerB => {
                    assert!(seen.is_disjoint(&world.person_a_ops), "caseload boundary crossed")
                }
                Who::OtherPracticeSupervisor => {
                    assert!(seen.is_disjoint(&world.practice_a_ops), "practice boundary crossed");
                    assert!(!seen.is_empty());
                }
                _ => {}
            }
            if who != Who::OtherPracticeSupervisor {
                assert!(
                    page.operations.iter().all(|s| s.operation.envelope.0 != vec![9]),
                    "foreign record leaked"
                );
            }
        } else {
            check_error_body(response).await;
        }

        // GET /v1/sync/scope
        let response = world.request(who, Method::GET, "/v1/sync/scope").send().await.unwrap();
        expect(
            "GET /v1/sync/scope",
            who,
            response.status(),
            role_status(&record_roles, StatusCode::OK),
        );
        if response.status() == StatusCode::OK {
            let scope: ScopeResponse = response.json().await.unwrap();
            assert_eq!(
                scope.people.contains(&world.person_a),
                who == Who::LinkWorkerA,
                "scope of {who:?}"
            );
        }
    }
    assert!(failures.is_empty(), "authorization matrix mismatches:\n{}", failures.join("\n"));
    world.server.assert_healthy().await;
}

impl World {
    /// Checks the other practice's supervisor cannot disable a practice A user either way.
    async fn other_admin_like_disable(&self, user: &UserInfo) -> StatusCode {
        let response = self
            .request(
                Who::OtherPracticeSupervisor,
                Method::POST,
                &format!("/v1/users/{}/disable", user.user_id),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        response.status()
    }
}

async fn check_error_body(response: reqwest::Response) {
    if !response.status().is_success() {
        let status = response.status();
        let body: ErrorBody =
            response.json().await.unwrap_or_else(|e| panic!("{status}: no JSON error body: {e}"));
        assert!(!body.message.is_empty());
    }
}

/// What an answer says, with the parts that differ between any two calls (sequence numbers)
/// left out: two ids are indistinguishable when their answers are equal.
async fn answer_of(response: reqwest::Response) -> String {
    let status = response.status();
    let body = response.text().await.unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&body).unwrap_or(body.into());
    if let Some(results) = value.get_mut("results").and_then(|r| r.as_array_mut()) {
        for result in results {
            if let Some(object) = result.as_object_mut() {
                object.remove("op_id");
                object.remove("device_seq");
                object.remove("seq");
            }
        }
    }
    if let Some(object) = value.as_object_mut() {
        object.remove("server_time_ms");
        object.remove("expires_at_ms");
        object.remove("invite_id");
    }
    format!("{status} {value}")
}

/// For every kind of id a caller can name, an id that exists only in another practice gets
/// exactly the answer of an id that exists nowhere.
pub async fn foreign_ids_answer_like_missing_ones(backend: Backend) {
    let server = TestServer::start(backend).await;
    let practice_a = server.practice("Practice A").await;
    let practice_b = server.practice("Practice B").await;
    let admin_a = server.member(practice_a, "fm-admin-a", Role::Admin).await;
    let mut supervisor_a = server.member(practice_a, "fm-sup-a", Role::Supervisor).await;
    let mut worker_a = server.member(practice_a, "fm-lw-a", Role::LinkWorker).await;
    let mut supervisor_b = server.member(practice_b, "fm-sup-b", Role::Supervisor).await;
    let worker_b = server.member(practice_b, "fm-lw-b", Role::LinkWorker).await;

    // Practice B's records: a person with a note, and a live invite.
    let person_b = PersonId::new_v7();
    let b_ops = vec![
        supervisor_b.op(RecordKind::Person, Some(person_b), vec![1]),
        supervisor_b.op(RecordKind::Note, Some(person_b), vec![2]),
    ];
    let (b_op_id, b_record_id) = (b_ops[1].op_id, b_ops[1].record_id);
    supervisor_b.push(b_ops).await;
    let b_code = format!("practice-b-code-{}", uuid::Uuid::new_v4());
    let created = supervisor_b
        .request(Method::POST, "/v1/invites")
        .json(&CreateInviteRequest {
            code_hash: secrets::invite_code_hash(&b_code),
            wrapped_practice_key: Envelope(vec![8; 40]),
            expires_in_seconds: None,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    // Practice A's own person for the supervisor's pushes.
    let person_a = PersonId::new_v7();
    let first = supervisor_a.op(RecordKind::Person, Some(person_a), vec![3]);
    supervisor_a.push(vec![first]).await;

    let mut differences = Vec::new();
    let mut compare = |what: &str, foreign: String, missing: String| {
        if foreign != missing {
            differences.push(format!("{what}:\n  foreign: {foreign}\n  missing: {missing}"));
        }
    };

    // Device ids: revoke.
    let mut answers = Vec::new();
    for device in [worker_b.device_id.0, uuid::Uuid::now_v7()] {
        let path = format!("/v1/devices/{device}/revoke");
        answers.push(answer_of(admin_a.request(Method::POST, &path).send().await.unwrap()).await);
    }
    compare("device id (revoke)", answers.remove(0), answers.remove(0));
    assert_eq!(
        worker_b.request(Method::GET, "/v1/me").send().await.unwrap().status(),
        StatusCode::OK,
        "another practice's device was revoked"
    );

    // User ids: disable, and as the link worker of an assignment.
    let mut answers = Vec::new();
    for user in [worker_b.user.user_id.0, uuid::Uuid::now_v7()] {
        let path = format!("/v1/users/{user}/disable");
        answers.push(answer_of(admin_a.request(Method::POST, &path).send().await.unwrap()).await);
    }
    compare("user id (disable)", answers.remove(0), answers.remove(0));
    let mut answers = Vec::new();
    for user in [worker_b.user.user_id.0, uuid::Uuid::now_v7()] {
        let path = format!("/v1/assignments/{person_a}");
        let response = supervisor_a
            .request(Method::PUT, &path)
            .json(&serde_json::json!({ "link_worker_id": user }))
            .send()
            .await
            .unwrap();
        answers.push(answer_of(response).await);
    }
    compare("user id (assign to)", answers.remove(0), answers.remove(0));

    // Person ids: a link worker writing about them, then assigning them (in that order: an
    // assignment would put them in the link worker's caseload).
    let mut answers = Vec::new();
    for person in [person_b, PersonId::new_v7()] {
        let op = worker_a.op(RecordKind::Note, Some(person), vec![4]);
        let response = worker_a
            .request(Method::POST, "/v1/sync/push")
            .json(&PushRequest { operations: vec![op] })
            .send()
            .await
            .unwrap();
        answers.push(answer_of(response).await);
    }
    compare("person id (link worker push)", answers.remove(0), answers.remove(0));

    let mut answers = Vec::new();
    for person in [person_b, PersonId::new_v7()] {
        let response = supervisor_a
            .request(Method::PUT, &format!("/v1/assignments/{person}"))
            .json(&serde_json::json!({ "link_worker_id": worker_a.user.user_id }))
            .send()
            .await
            .unwrap();
        answers.push(answer_of(response).await);
    }
    compare("person id (assign)", answers.remove(0), answers.remove(0));

    // Record ids and op ids: a supervisor's push reusing practice B's.
    let mut answers = Vec::new();
    for record in [b_record_id, kith_protocol::RecordId::new_v7()] {
        let mut op = supervisor_a.op(RecordKind::Note, Some(person_a), vec![5]);
        op.record_id = record;
        let response = supervisor_a
            .request(Method::POST, "/v1/sync/push")
            .json(&PushRequest { operations: vec![op] })
            .send()
            .await
            .unwrap();
        answers.push(answer_of(response).await);
    }
    compare("record id (push)", answers.remove(0), answers.remove(0));
    let mut answers = Vec::new();
    for op_id in [b_op_id, OperationId::new_v7()] {
        let mut op = supervisor_a.op(RecordKind::Note, Some(person_a), vec![6]);
        op.op_id = op_id;
        let response = supervisor_a
            .request(Method::POST, "/v1/sync/push")
            .json(&PushRequest { operations: vec![op] })
            .send()
            .await
            .unwrap();
        answers.push(answer_of(response).await);
    }
    compare("op id (push)", answers.remove(0), answers.remove(0));

    // Invite codes: redeeming one, and making one with the same code.
    let mut answers = Vec::new();
    for code in [b_code.clone(), format!("no-such-code-{}", uuid::Uuid::new_v4())] {
        let response = worker_a
            .request(Method::POST, "/v1/invites/redeem")
            .json(&serde_json::json!({ "code": code }))
            .send()
            .await
            .unwrap();
        answers.push(answer_of(response).await);
    }
    compare("invite code (redeem)", answers.remove(0), answers.remove(0));
    let mut answers = Vec::new();
    for code in [b_code.clone(), format!("fresh-code-{}", uuid::Uuid::new_v4())] {
        let response = supervisor_a
            .request(Method::POST, "/v1/invites")
            .json(&CreateInviteRequest {
                code_hash: secrets::invite_code_hash(&code),
                wrapped_practice_key: Envelope(vec![9; 40]),
                expires_in_seconds: None,
            })
            .send()
            .await
            .unwrap();
        answers.push(answer_of(response).await);
    }
    compare("invite code (create)", answers.remove(0), answers.remove(0));

    assert!(differences.is_empty(), "foreign ids are told apart:\n{}", differences.join("\n"));
    // Practice B's invite still works for practice B.
    let redeemed = worker_b
        .request(Method::POST, "/v1/invites/redeem")
        .json(&serde_json::json!({ "code": b_code }))
        .send()
        .await
        .unwrap();
    assert_eq!(redeemed.status(), StatusCode::OK);
    server.assert_healthy().await;
}
