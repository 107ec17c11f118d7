//! The demo directory every test stack and the local stack start with: one tenant, one app
//! registration with application permissions, and three users, two of them reporting to Megan.

use serde_json::{Value, json};

use crate::simulator_control::SimulatorControl;

/// Tenant GUID of the demo tenant (the settings' `appTenantId`).
pub const DEMO_TENANT_ID: &str = "6f1c3a52-8d4e-4b7a-9c2f-1e5d7a9b3c40";

/// The token endpoint of the demo tenant, where the refresh tokens of its users' links are
/// redeemed (each link in its own tenant).
pub fn demo_tenant_token_path() -> String {
    format!("/{DEMO_TENANT_ID}/oauth2/v2.0/token")
}
/// Verified domain of the demo tenant.
pub const DEMO_TENANT_DOMAIN: &str = "contoso.onmicrosoft.com";
/// Client id of the demo app registration.
pub const DEMO_CLIENT_ID: &str = "3b9e7d10-2c4f-4a8e-b6d1-5f0a2e8c7b93";
/// Client secret of the demo app registration.
pub const DEMO_CLIENT_SECRET: &str = "local-simulator-client-secret";
/// Application permissions admin-consented for the demo app.
pub const DEMO_APPLICATION_PERMISSIONS: [&str; 2] = ["User.Read.All", "Calendars.ReadWrite"];

/// A user of the demo tenant.
#[derive(Clone, Copy, Debug)]
pub struct DemoUser {
    /// Object id.
    pub id: &'static str,
    /// userPrincipalName (also `mail`).
    pub user_principal_name: &'static str,
    /// displayName.
    pub display_name: &'static str,
    /// givenName.
    pub given_name: &'static str,
    /// surname.
    pub surname: &'static str,
    /// jobTitle.
    pub job_title: &'static str,
    /// Object id of the manager, if any.
    pub manager_id: Option<&'static str>,
}

impl DemoUser {
    /// The body of `POST /_control/users` creating this user.
    fn control_body(&self) -> Value {
        json!({
            "tenantId": DEMO_TENANT_ID,
            "id": self.id,
            "userPrincipalName": self.user_principal_name,
            "mail": self.user_principal_name,
            "displayName": self.display_name,
            "givenName": self.given_name,
            "surname": self.surname,
            "jobTitle": self.job_title,
            "managerId": self.manager_id,
        })
    }
}

/// Megan Bowen, manager of Adele and Alex.
pub const MEGAN: DemoUser = DemoUser {
    id: "48d31887-5fad-4d73-a9f5-3c356e68a038",
    user_principal_name: "MeganB@contoso.onmicrosoft.com",
    display_name: "Megan Bowen",
    given_name: "Megan",
    surname: "Bowen",
    job_title: "Marketing Manager",
    manager_id: None,
};

/// Adele Vance, reports to Megan.
pub const ADELE: DemoUser = DemoUser {
    id: "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
    user_principal_name: "AdeleV@contoso.onmicrosoft.com",
    display_name: "Adele Vance",
    given_name: "Adele",
    surname: "Vance",
    job_title: "Retail Manager",
    manager_id: Some(MEGAN.id),
};

/// Alex Wilber, reports to Megan.
pub const ALEX: DemoUser = DemoUser {
    id: "626cbf8c-5dde-46b0-8385-9e40d64736fe",
    user_principal_name: "AlexW@contoso.onmicrosoft.com",
    display_name: "Alex Wilber",
    given_name: "Alex",
    surname: "Wilber",
    job_title: "Marketing Assistant",
    manager_id: Some(MEGAN.id),
};

/// Every demo user, managers before their reports.
pub const DEMO_USERS: [DemoUser; 3] = [MEGAN, ADELE, ALEX];

/// Delegated permissions needing admin consent that the demo tenant's administrator granted the
/// demo app for all users (those the operations accept).
pub const DEMO_ADMIN_CONSENTED_SCOPES: [&str; 7] = [
    "Calendars.ReadBasic",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "GroupMember.Read.All",
    "User.DeleteRestore.All",
    "User.Read.All",
    "User.ReadWrite.All",
];

/// Seeds the simulator with the demo tenant, the demo app (redirect URI `redirect_uri`) and the demo users.
pub async fn seed_demo_directory(
    control: &SimulatorControl,
    redirect_uri: &str,
) -> Result<(), String> {
    control
        .add_tenant(DEMO_TENANT_ID, DEMO_TENANT_DOMAIN)
        .await?;
    control
        .add_app(&json!({
            "clientId": DEMO_CLIENT_ID,
            "clientSecret": DEMO_CLIENT_SECRET,
            "tenantId": DEMO_TENANT_ID,
            "redirectUris": [redirect_uri],
            "applicationPermissions": DEMO_APPLICATION_PERMISSIONS,
        }))
        .await?;
    // The demo tenant's administrator granted the delegated permissions that need admin consent
    // (as DEPLOY.md tells an operator to), so its users can sign in with them.
    control
        .consent_for_tenant(DEMO_CLIENT_ID, DEMO_TENANT_ID, &DEMO_ADMIN_CONSENTED_SCOPES)
        .await?;
    for user in DEMO_USERS {
        control.add_user(&user.control_body()).await?;
    }
    Ok(())
}
