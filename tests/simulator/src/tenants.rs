//! Tenants (directories), the Microsoft cloud each belongs to, and the tenant segment of identity
//! platform URLs.

use serde::{Deserialize, Serialize};

/// A Microsoft cloud: the global service or a national cloud (learn.microsoft.com/graph/deployments).
/// A simulator serves one (`POST /_control/settings` `cloud`); tenants may belong to others.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Cloud {
    /// `login.microsoftonline.com`, `graph.microsoft.com`.
    #[default]
    Global,
    /// US Government L4 (GCC High): `graph.microsoft.us`.
    UsGovL4,
    /// US Government L5 (DoD): `dod-graph.microsoft.us`.
    UsGovL5,
    /// China operated by 21Vianet: `microsoftgraph.chinacloudapi.cn`.
    China,
}

/// Every cloud.
pub const CLOUDS: [Cloud; 4] = [Cloud::Global, Cloud::UsGovL4, Cloud::UsGovL5, Cloud::China];

impl Cloud {
    /// The Graph resource of this cloud: `aud` of its Graph tokens and prefix of full scope URIs.
    pub fn graph_resource(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com",
            Cloud::UsGovL4 => "https://graph.microsoft.us",
            Cloud::UsGovL5 => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The name Microsoft's AADSTS90038 message gives the cloud.
    pub fn instance_name(self) -> &'static str {
        match self {
            Cloud::Global => "microsoftonline.com",
            Cloud::UsGovL4 | Cloud::UsGovL5 => "microsoftonline.us",
            Cloud::China => "partner.microsoftonline.cn",
        }
    }
}

/// A Microsoft Entra tenant: its GUID, its one verified domain and its cloud.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    /// Tenant GUID (`tid` claim).
    pub id: String,
    /// Verified domain, e.g. `contoso.onmicrosoft.com`.
    pub domain: String,
    /// The cloud the tenant lives in (default global).
    #[serde(default)]
    pub cloud: Cloud,
}

/// Every known tenant.
#[derive(Default)]
pub struct Tenants(Vec<Tenant>);

/// What the `{tenant}` segment of an identity platform URL names.
#[derive(Clone, Debug)]
pub enum Authority {
    /// `common`: work accounts of any tenant (and personal accounts, which the simulator has none of).
    Common,
    /// `organizations`: work accounts of any tenant.
    Organizations,
    /// `consumers`: personal Microsoft accounts only, so no simulated user.
    Consumers,
    /// One tenant, named by GUID or domain.
    Tenant(Tenant),
}

impl Authority {
    /// Whether a user of tenant `tenant_id` may sign in through this authority.
    pub fn admits(&self, tenant_id: &str) -> bool {
        match self {
            Authority::Common | Authority::Organizations => true,
            Authority::Consumers => false,
            Authority::Tenant(tenant) => tenant.id == tenant_id,
        }
    }
}

impl Tenants {
    /// Registers a tenant; its id and domain must both be new.
    pub fn add(&mut self, tenant: Tenant) -> Result<(), String> {
        if self.find(&tenant.id).is_some() || self.find(&tenant.domain).is_some() {
            return Err(format!(
                "tenant '{}' ({}) already exists",
                tenant.id, tenant.domain
            ));
        }
        self.0.push(tenant);
        Ok(())
    }

    /// The tenant with this GUID or domain (case-insensitive).
    pub fn find(&self, id_or_domain: &str) -> Option<&Tenant> {
        self.0.iter().find(|t| {
            t.id.eq_ignore_ascii_case(id_or_domain) || t.domain.eq_ignore_ascii_case(id_or_domain)
        })
    }

    /// Resolves a URL tenant segment; `None` when it names no known tenant.
    pub fn authority(&self, segment: &str) -> Option<Authority> {
        match segment.to_ascii_lowercase().as_str() {
            "common" => Some(Authority::Common),
            "organizations" => Some(Authority::Organizations),
            "consumers" => Some(Authority::Consumers),
            _ => self.find(segment).cloned().map(Authority::Tenant),
        }
    }
}
