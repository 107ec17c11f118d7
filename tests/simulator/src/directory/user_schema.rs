//! The property names of `microsoft.graph.user` (from Microsoft's v1.0 OpenAPI, `Users.yml`)
//! and which of them Graph returns by default, lets callers write, and requires on create.

/// Properties returned when the caller sends no `$select`.
pub const DEFAULT_PROPERTIES: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// Every structural property `$select` accepts.
pub const PROPERTIES: &[&str] = &[
    "id",
    "deletedDateTime",
    "accountEnabled",
    "ageGroup",
    "assignedLicenses",
    "assignedPlans",
    "authorizationInfo",
    "businessPhones",
    "city",
    "companyName",
    "consentProvidedForMinor",
    "country",
    "createdDateTime",
    "creationType",
    "department",
    "displayName",
    "employeeHireDate",
    "employeeId",
    "employeeOrgData",
    "employeeType",
    "externalUserState",
    "externalUserStateChangeDateTime",
    "faxNumber",
    "givenName",
    "identities",
    "imAddresses",
    "isResourceAccount",
    "jobTitle",
    "lastPasswordChangeDateTime",
    "legalAgeGroupClassification",
    "licenseAssignmentStates",
    "mail",
    "mailNickname",
    "mobilePhone",
    "officeLocation",
    "onPremisesDistinguishedName",
    "onPremisesDomainName",
    "onPremisesExtensionAttributes",
    "onPremisesImmutableId",
    "onPremisesLastSyncDateTime",
    "onPremisesProvisioningErrors",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "onPremisesUserPrincipalName",
    "otherMails",
    "passwordPolicies",
    "passwordProfile",
    "postalCode",
    "preferredDataLocation",
    "preferredLanguage",
    "provisionedPlans",
    "proxyAddresses",
    "securityIdentifier",
    "showInAddressList",
    "signInSessionsValidFromDateTime",
    "state",
    "streetAddress",
    "surname",
    "usageLocation",
    "userPrincipalName",
    "userType",
    "mailboxSettings",
    "deviceEnrollmentLimit",
    "aboutMe",
    "birthday",
    "hireDate",
    "interests",
    "mySite",
    "pastProjects",
    "preferredName",
    "responsibilities",
    "schools",
    "skills",
];

/// Properties only the service sets.
const READ_ONLY: &[&str] = &[
    "id",
    "deletedDateTime",
    "assignedLicenses",
    "assignedPlans",
    "authorizationInfo",
    "createdDateTime",
    "creationType",
    "externalUserState",
    "externalUserStateChangeDateTime",
    "imAddresses",
    "isResourceAccount",
    "lastPasswordChangeDateTime",
    "legalAgeGroupClassification",
    "licenseAssignmentStates",
    "onPremisesDistinguishedName",
    "onPremisesDomainName",
    "onPremisesLastSyncDateTime",
    "onPremisesProvisioningErrors",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "onPremisesUserPrincipalName",
    "provisionedPlans",
    "proxyAddresses",
    "securityIdentifier",
    "signInSessionsValidFromDateTime",
    "mailboxSettings",
    "deviceEnrollmentLimit",
];

/// Writable Boolean properties.
const BOOLEANS: &[&str] = &["accountEnabled", "showInAddressList"];

/// Writable collections of strings.
const STRING_COLLECTIONS: &[&str] = &[
    "businessPhones",
    "otherMails",
    "interests",
    "pastProjects",
    "responsibilities",
    "schools",
    "skills",
];

/// Writable complex (object or object collection) properties; their inner shape is not checked.
const COMPLEX: &[&str] = &[
    "employeeOrgData",
    "identities",
    "onPremisesExtensionAttributes",
    "passwordProfile",
];

/// Properties `POST /users` requires.
pub const REQUIRED_ON_CREATE: &[&str] = &[
    "accountEnabled",
    "displayName",
    "mailNickname",
    "passwordProfile",
    "userPrincipalName",
];

/// Why a written property value is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum WriteRefusal {
    /// Not a property of `microsoft.graph.user`.
    Unknown,
    /// Set by the service only.
    ReadOnly,
    /// A value of the wrong JSON type.
    InvalidValue,
}

/// Checks that `value` may be written to property `name`.
pub fn check_write(name: &str, value: &serde_json::Value) -> Result<(), WriteRefusal> {
    use serde_json::Value;
    if !PROPERTIES.contains(&name) {
        return Err(WriteRefusal::Unknown);
    }
    if READ_ONLY.contains(&name) {
        return Err(WriteRefusal::ReadOnly);
    }
    let valid = match value {
        Value::Null => true,
        Value::Bool(_) => BOOLEANS.contains(&name),
        Value::Array(items) if STRING_COLLECTIONS.contains(&name) => {
            items.iter().all(Value::is_string)
        }
        Value::Array(_) | Value::Object(_) => COMPLEX.contains(&name),
        Value::String(_) => {
            !BOOLEANS.contains(&name)
                && !STRING_COLLECTIONS.contains(&name)
                && !COMPLEX.contains(&name)
        }
        Value::Number(_) => false,
    };
    if valid {
        Ok(())
    } else {
        Err(WriteRefusal::InvalidValue)
    }
}
