//! Conformance of the access role: users, API tokens and browser sessions.

use crate::MetadataStore;

/// Users have unique names and keep who added them through changes; tokens get ids one
/// after another, are found by their hash only, and are revoked once; sessions are found
/// until they end. Every change is audited, and no audit entry carries a secret's hash.
pub fn users_tokens_and_sessions(store: &mut dyn MetadataStore) {
    use kartoteka_model::{ApiToken, Role, Scope, User, WebSession};
    let before = store
        .audit_log(&crate::AuditFilter::default())
        .expect("audit")
        .len();
    let vera = User {
        name: "vera".into(),
        role: Role::Researcher,
        partner: None,
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        disabled: false,
        by: String::new(),
        at: String::new(),
    };
    let added = store.add_user(&vera).expect("add user");
    assert!(!added.by.is_empty() && !added.at.is_empty(), "{added:?}");
    assert!(
        matches!(store.add_user(&vera), Err(crate::StoreError::Conflict(_))),
        "a second user of the same name is refused"
    );
    let liaison = User {
        name: "bnd-liaison".into(),
        role: Role::Liaison,
        partner: Some("DEU-BND".into()),
        password_hash: None,
        ..vera.clone()
    };
    store.add_user(&liaison).expect("add liaison");
    assert_eq!(
        store
            .users()
            .expect("users")
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>(),
        ["vera", "bnd-liaison"]
    );
    assert_eq!(store.user("nobody").expect("user"), None);
    let disabled = store
        .update_user(
            &User {
                disabled: true,
                by: "someone else".into(),
                ..added.clone()
            },
            "disabled",
        )
        .expect("disable");
    assert!(disabled.disabled);
    assert_eq!(
        (disabled.by.as_str(), disabled.at.as_str()),
        (added.by.as_str(), added.at.as_str()),
        "who added a user and when is kept through changes"
    );
    assert_eq!(store.user("vera").expect("user"), Some(disabled));
    assert!(matches!(
        store.update_user(
            &User {
                name: "nobody".into(),
                ..vera.clone()
            },
            "disabled"
        ),
        Err(crate::StoreError::NotFound(_))
    ));

    let secret_hash = "5e".repeat(32);
    let token = ApiToken {
        id: String::new(),
        user: "vera".into(),
        scopes: vec![Scope::Read],
        hash: secret_hash.clone(),
        revoked: true,
        by: String::new(),
        at: String::new(),
    };
    let t1 = store.add_token(&token).expect("token");
    assert_eq!(t1.id, "T1");
    assert!(!t1.revoked, "a new token is never born revoked");
    assert!(
        matches!(store.add_token(&token), Err(crate::StoreError::Conflict(_))),
        "a secret is kept once"
    );
    assert!(matches!(
        store.add_token(&ApiToken {
            user: "nobody".into(),
            hash: "77".repeat(32),
            ..token.clone()
        }),
        Err(crate::StoreError::NotFound(_))
    ));
    let t2 = store
        .add_token(&ApiToken {
            hash: "a1".repeat(32),
            scopes: vec![Scope::Read, Scope::Write],
            ..token.clone()
        })
        .expect("second token");
    assert_eq!(t2.id, "T2");
    assert_eq!(
        store.token_by_hash(&secret_hash).expect("by hash"),
        Some(t1.clone())
    );
    assert_eq!(
        store.token_by_hash(&"00".repeat(32)).expect("by hash"),
        None
    );
    let revoked = store.revoke_token("T1").expect("revoke");
    assert!(revoked.revoked);
    assert!(
        store
            .token_by_hash(&secret_hash)
            .expect("by hash")
            .expect("kept")
            .revoked
    );
    assert!(matches!(
        store.revoke_token("T1"),
        Err(crate::StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.revoke_token("T9"),
        Err(crate::StoreError::NotFound(_))
    ));
    assert_eq!(store.tokens().expect("tokens").len(), 2);

    let session = WebSession {
        hash: "c0".repeat(32),
        user: "vera".into(),
        csrf: "form-token".into(),
        at: "2026-12-06T10:00:00Z".into(),
        expires: "2026-12-06T22:00:00Z".into(),
    };
    store.add_session(&session).expect("session");
    assert_eq!(
        store.session(&session.hash).expect("session"),
        Some(session.clone())
    );
    store.end_session(&session.hash).expect("end");
    assert_eq!(store.session(&session.hash).expect("session"), None);
    store
        .end_session(&session.hash)
        .expect("ending an ended session does nothing");

    let log = store
        .audit_log(&crate::AuditFilter::default())
        .expect("audit");
    let words: Vec<&str> = log[before..].iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        words,
        ["user", "user", "user", "token", "token", "token", "sign-in", "sign-out"],
        "every change to who may enter is audited, and nothing else"
    );
    for e in &log[before..] {
        for secret in [&secret_hash, &session.hash, &"a1".repeat(32)] {
            assert!(
                !e.detail.contains(secret.as_str()),
                "a hash in the chain: {e:?}"
            );
        }
        assert!(
            !e.detail.contains("argon2"),
            "a password hash in the chain: {e:?}"
        );
    }
}
