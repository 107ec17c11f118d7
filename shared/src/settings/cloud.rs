//! The Microsoft cloud the app is registered in (the `cloud` setting), and the hosts and scopes
//! that follow from it. Tokens of one cloud are not accepted by another ("Access tokens acquired for
//! a national cloud deployment are not interchangeable with those acquired for the global service or
//! any other national cloud").
//!
//! Sources (notes in docs/reference/microsoft-identity-and-graph-facts.md §6):
//! Graph "National cloud deployments" (learn.microsoft.com/graph/deployments) for the Graph roots
//! (`graph.microsoft.us` for US Government L4 / GCC High, `dod-graph.microsoft.us` for L5 / DoD,
//! `microsoftgraph.chinacloudapi.cn` for China operated by 21Vianet); Microsoft Entra "National
//! clouds" (learn.microsoft.com/entra/identity-platform/authentication-national-cloud) for the
//! login hosts (`login.microsoftonline.us`; China `login.partner.microsoftonline.cn`, the host MSAL
//! prefers, `login.chinacloudapi.cn` being its alias); Graph SDK "national clouds"
//! (learn.microsoft.com/graph/sdks/national-clouds): "Any permission scope value (including the
//! `.default` scope) that contains the Microsoft Graph domain MUST use the domain of the Microsoft
//! Graph service root endpoint for the national cloud deployment", short names (`User.Read`)
//! being valid everywhere.

/// A Microsoft cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cloud {
    /// The global service (`login.microsoftonline.com`, `graph.microsoft.com`).
    #[default]
    Global,
    /// US Government L4 (GCC High).
    UsGovL4,
    /// US Government L5 (DoD).
    UsGovL5,
    /// Microsoft Graph China operated by 21Vianet.
    China,
}

/// Every cloud.
pub const CLOUDS: [Cloud; 4] = [Cloud::Global, Cloud::UsGovL4, Cloud::UsGovL5, Cloud::China];

impl Cloud {
    /// The value of the `cloud` setting naming this cloud.
    pub fn setting(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::UsGovL4 => "usGovL4",
            Cloud::UsGovL5 => "usGovL5",
            Cloud::China => "china",
        }
    }

    /// The cloud a `cloud` setting names.
    pub fn from_setting(value: &str) -> Option<Cloud> {
        CLOUDS.into_iter().find(|cloud| cloud.setting() == value)
    }

    /// The identity platform origin.
    pub fn login_origin(self) -> &'static str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com",
            Cloud::UsGovL4 | Cloud::UsGovL5 => "https://login.microsoftonline.us",
            Cloud::China => "https://login.partner.microsoftonline.cn",
        }
    }

    /// The Graph service root (also the Graph resource, the `aud` of its access tokens, and the
    /// prefix of its full scope names).
    pub fn graph_origin(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com",
            Cloud::UsGovL4 => "https://graph.microsoft.us",
            Cloud::UsGovL5 => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The scope that asks for every admin-consented application permission for Graph.
    pub fn graph_default_scope(self) -> String {
        format!("{}/.default", self.graph_origin())
    }

    /// The identity platform origin to use: `configured` (`LOGIN_BASE_URL`, e.g. the local
    /// simulator) unless it is the global default, which stands for this cloud's own.
    pub fn login_origin_or(self, configured: &str) -> String {
        choose(
            configured,
            Cloud::Global.login_origin(),
            self.login_origin(),
        )
    }

    /// The Graph origin to use: `configured` (`GRAPH_BASE_URL`) unless it is the global default,
    /// which stands for this cloud's own.
    pub fn graph_origin_or(self, configured: &str) -> String {
        choose(
            configured,
            Cloud::Global.graph_origin(),
            self.graph_origin(),
        )
    }
}

fn choose(configured: &str, global: &str, own: &str) -> String {
    let configured = configured.trim_end_matches('/');
    if configured.eq_ignore_ascii_case(global) {
        own.to_string()
    } else {
        configured.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cloud_has_its_own_hosts_and_default_scope() {
        assert_eq!(
            Cloud::UsGovL4.graph_default_scope(),
            "https://graph.microsoft.us/.default"
        );
        assert_eq!(
            Cloud::UsGovL5.graph_origin(),
            "https://dod-graph.microsoft.us"
        );
        assert_eq!(
            Cloud::China.login_origin(),
            "https://login.partner.microsoftonline.cn"
        );
        assert_eq!(Cloud::from_setting("usGovL5"), Some(Cloud::UsGovL5));
        assert_eq!(Cloud::from_setting("usgov"), None);
    }

    #[test]
    fn an_explicit_origin_overrides_the_clouds_and_the_global_default_does_not() {
        assert_eq!(
            Cloud::China.login_origin_or("https://login.microsoftonline.com/"),
            "https://login.partner.microsoftonline.cn"
        );
        assert_eq!(
            Cloud::UsGovL4.graph_origin_or("https://graph.microsoft.com"),
            "https://graph.microsoft.us"
        );
        assert_eq!(
            Cloud::China.graph_origin_or("http://127.0.0.1:8400/"),
            "http://127.0.0.1:8400"
        );
    }
}
