//! A container's first call, with fewer round trips one after another. A new container knows
//! nothing yet: it must read the settings (Secrets Manager) before it can decrypt a token, and on
//! loopback reading the table and connecting to Graph afterwards looks free, but at a network
//! distance each of those is a round trip, and each new connection a TCP and a TLS handshake more.
//! So while the settings are read, the call also reads what it will certainly read from the table
//! (the caller's link, the `app:` user it names, or the cached application token; none of those
//! keys depends on the settings) and opens its connection to Graph. The token and Graph steps
//! then run as always, taking the reads made ahead ([`ReadAheadStore`]).
//!
//! Only the first call does this: once settings were loaded, a call reads nothing it does not
//! need (a warm call stays one request, to Graph). What fails on the way fails as before: a
//! settings failure is returned first, whatever the reads ahead found; a read ahead that failed
//! is returned where that read would have been made; the reads ahead only read, and what one
//! call did not use is dropped when it ends.

use std::sync::Arc;

use async_trait::async_trait;
use futures::future::join_all;

use crate::error::ApiError;
use crate::operations::executor::Executor;
use crate::operations::read_ahead::ReadAheadStore;
use crate::operations::request::{Caller, OperationRequest, Target};
use crate::settings::product_settings::Settings;

/// Opens a connection to Graph ahead of the first request, on the pool that request will use.
#[async_trait]
pub trait Preconnect: Send + Sync {
    /// Opens the connection (or finds one open); what Graph answers, or a failure, is ignored: the
    /// request itself reports any problem, with its own retries.
    async fn preconnect(&self);
}

/// The reads one call made ahead; when it is dropped, at the end of the call, what the call did
/// not use is dropped too.
pub struct ReadsAhead<'a>(Option<&'a ReadAheadStore>);

impl Drop for ReadsAhead<'_> {
    fn drop(&mut self) {
        if let Some(store) = self.0 {
            store.forget();
        }
    }
}

/// The table items a first call by `caller` on `target` will read: the links of a delegated
/// caller and of an `app:` user it targets, and whether it reads the cached application token
/// (an application caller).
fn items_to_read<'a>(caller: &'a Caller, target: &'a Target) -> (Vec<&'a str>, bool) {
    let mut links = Vec::new();
    if let Caller::Delegated(app_user_id) = caller {
        links.push(app_user_id.as_str());
    }
    if let Target::AppUser(app_user_id) = target
        && !links.contains(&app_user_id.as_str())
    {
        links.push(app_user_id.as_str());
    }
    (links, *caller == Caller::Application)
}

impl Executor {
    /// The settings for `request`; on the container's first call, read together with the table
    /// items the call will read and with the connection to Graph. Keep the [`ReadsAhead`] until
    /// the call ends.
    pub(crate) async fn settings_reading_ahead(
        &self,
        request: &OperationRequest,
    ) -> Result<(Arc<Settings>, ReadsAhead<'_>), ApiError> {
        if self.settings.loaded() {
            return Ok((self.settings.get().await?, ReadsAhead(None)));
        }
        let reads_ahead = ReadsAhead(Some(&self.read_ahead));
        let (links, app_token) = items_to_read(&request.caller, &request.target);
        let table = async {
            let links = join_all(
                links
                    .into_iter()
                    .map(|app_user_id| self.read_ahead.read_link_ahead(app_user_id)),
            );
            let app_token = async {
                if app_token {
                    self.read_ahead.read_app_token_ahead().await;
                }
            };
            tokio::join!(links, app_token)
        };
        let (settings, _, ()) =
            tokio::join!(self.settings.get(), table, self.preconnect.preconnect());
        Ok((settings?, reads_ahead))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_call_reads_the_items_it_will_need() {
        let alice = Caller::Delegated("alice".to_string());
        let app_user = |id: &str| Target::AppUser(id.to_string());
        assert_eq!(items_to_read(&alice, &Target::Me), (vec!["alice"], false));
        assert_eq!(
            items_to_read(&alice, &app_user("alice")),
            (vec!["alice"], false)
        );
        assert_eq!(
            items_to_read(&alice, &app_user("bob")),
            (vec!["alice", "bob"], false)
        );
        assert_eq!(
            items_to_read(&Caller::Application, &app_user("bob")),
            (vec!["bob"], true)
        );
        assert_eq!(
            items_to_read(&Caller::Application, &Target::Microsoft("x@y".into())),
            (Vec::<&str>::new(), true)
        );
    }
}
