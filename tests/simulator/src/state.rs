//! Everything the simulator remembers, shared by all handlers.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::apps::Apps;
use crate::calendar::Mailboxes;
use crate::change_feed::ChangeFeed;
use crate::directory::{Directory, DirectoryError, UserRecord};
use crate::faults::FaultRules;
use crate::identity::authorization_codes::AuthorizationCodes;
use crate::identity::consents::Consents;
use crate::identity::jwt::TokenSigner;
use crate::identity::refresh_tokens::RefreshTokens;
use crate::identity::sessions::Sessions;
use crate::identity::sign_in_queue::SignInQueue;
use crate::request_log::RequestLog;
use crate::settings::Settings;
use crate::tenants::Tenants;

/// The simulated Microsoft cloud: tenants, apps, directory objects, mailboxes and identity grants.
/// `POST /_control/reset` replaces it with an empty one.
#[derive(Default)]
pub struct World {
    /// Lifetimes and page sizes.
    pub settings: Settings,
    /// Known tenants.
    pub tenants: Tenants,
    /// App registrations.
    pub apps: Apps,
    /// Users and groups.
    pub directory: Directory,
    /// Every user's calendars and events.
    pub mailboxes: Mailboxes,
    /// Delegated permissions each user granted each app.
    pub consents: Consents,
    /// Issued authorization codes.
    pub authorization_codes: AuthorizationCodes,
    /// Issued refresh tokens and per-user revocations.
    pub refresh_tokens: RefreshTokens,
    /// Revoked sign-in sessions: access tokens Graph refuses before they expire.
    pub sessions: Sessions,
    /// Who signs in at the next `/authorize`.
    pub sign_ins: SignInQueue,
    /// Subscriptions, notifications and delta sync states.
    pub change_feed: ChangeFeed,
}

impl World {
    /// Creates a user with a mailbox holding the default calendar.
    pub fn add_user(&mut self, user: UserRecord) -> Result<&UserRecord, DirectoryError> {
        let created = self.directory.insert_user(user)?;
        self.mailboxes.create(created.id());
        Ok(created)
    }

    /// Deletes a user and their mailbox. False when unknown.
    pub fn remove_user(&mut self, id: &str) -> bool {
        self.mailboxes.remove(id);
        self.directory.remove_user(id).is_some()
    }
}

/// State shared by every request.
pub struct AppState {
    /// `http://127.0.0.1:PORT`, the prefix of every link the simulator generates.
    pub base_url: String,
    /// Signs and verifies access and id tokens (one random key per simulator).
    pub signer: TokenSigner,
    /// The client that delivers change notifications and validation requests.
    pub http: reqwest::Client,
    world: Mutex<World>,
    faults: Mutex<FaultRules>,
    log: Mutex<RequestLog>,
}

/// The handle handlers receive.
pub type SharedState = Arc<AppState>;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AppState {
    /// Empty state for a simulator reachable at `base_url`.
    pub fn new(base_url: String) -> SharedState {
        Arc::new(AppState {
            base_url,
            signer: TokenSigner::random(),
            // Subscribers are on loopback: never through a proxy named in the environment.
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("an HTTP client without proxies"),
            world: Mutex::default(),
            faults: Mutex::default(),
            log: Mutex::default(),
        })
    }

    /// The simulated cloud, locked. Never hold it across an `.await`.
    pub fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }

    /// Pending fault rules, locked.
    pub fn faults(&self) -> MutexGuard<'_, FaultRules> {
        lock(&self.faults)
    }

    /// The request log, locked.
    pub fn log(&self) -> MutexGuard<'_, RequestLog> {
        lock(&self.log)
    }

    /// Forgets everything: world, pending faults and the request log.
    pub fn reset(&self) {
        *self.world() = World::default();
        self.faults().clear();
        self.log().clear();
    }
}
