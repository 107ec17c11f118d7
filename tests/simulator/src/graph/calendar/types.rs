//! The Graph types calendar requests carry (from Microsoft's v1.0 OpenAPI, `Calendar.yml` and
//! `Users.Actions.yml`), as [`ObjectShape`]s for checking request bodies.

use super::body_schema::{ObjectShape, Shape};

/// `microsoft.graph.dayOfWeek`.
const DAYS_OF_WEEK: &[&str] = &[
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
];

/// `microsoft.graph.freeBusyStatus`.
pub const FREE_BUSY_STATUSES: &[&str] = &[
    "unknown",
    "free",
    "tentative",
    "busy",
    "oof",
    "workingElsewhere",
];

/// `microsoft.graph.responseType`.
const RESPONSE_TYPES: &[&str] = &[
    "none",
    "organizer",
    "tentativelyAccepted",
    "accepted",
    "declined",
    "notResponded",
];

/// `microsoft.graph.emailAddress`.
const EMAIL_ADDRESS: ObjectShape = ObjectShape {
    type_name: "microsoft.graph.emailAddress",
    fields: &[("address", Shape::Text), ("name", Shape::Text)],
};

/// `microsoft.graph.recipient`.
pub const RECIPIENT: ObjectShape = ObjectShape {
    type_name: "microsoft.graph.recipient",
    fields: &[("emailAddress", Shape::Object(&EMAIL_ADDRESS))],
};

/// `microsoft.graph.dateTimeTimeZone`.
pub const DATE_TIME_TIME_ZONE: ObjectShape = ObjectShape {
    type_name: "microsoft.graph.dateTimeTimeZone",
    fields: &[("dateTime", Shape::Text), ("timeZone", Shape::Text)],
};

/// `microsoft.graph.timeSlot`.
pub const TIME_SLOT: ObjectShape = ObjectShape {
    type_name: "microsoft.graph.timeSlot",
    fields: &[
        ("start", Shape::Object(&DATE_TIME_TIME_ZONE)),
        ("end", Shape::Object(&DATE_TIME_TIME_ZONE)),
    ],
};

/// `microsoft.graph.responseStatus`.
const RESPONSE_STATUS: ObjectShape = ObjectShape {
    type_name: "microsoft.graph.responseStatus",
    fields: &[
        ("response", Shape::Choice(RESPONSE_TYPES)),
        ("time", Shape::Text),
    ],
};

/// `microsoft.graph.attendeeType`.
const ATTENDEE_TYPES: &[&str] = &["required", "optional", "resource"];

/// `microsoft.graph.attendeeBase`.
pub const ATTENDEE_BASE: ObjectShape = ObjectShape {
    type_name: "microsoft.graph.attendeeBase",
    fields: &[
        ("emailAddress", Shape::Object(&EMAIL_ADDRESS)),
        ("type", Shape::Choice(ATTENDEE_TYPES)),
    ],
};

/// `microsoft.graph.attendee`.
const ATTENDEE: ObjectShape = ObjectShape {
    type_name: "microsoft.graph.attendee",
    fields: &[
        ("emailAddress", Shape::Object(&EMAIL_ADDRESS)),
        ("type", Shape::Choice(ATTENDEE_TYPES)),
        ("status", Shape::Object(&RESPONSE_STATUS)),
        ("proposedNewTime", Shape::Object(&TIME_SLOT)),
    ],
};

/// `microsoft.graph.itemBody`.
const ITEM_BODY: ObjectShape = ObjectShape {
    type_name: "microsoft.graph.itemBody",
    fields: &[
        ("content", Shape::Text),
        ("contentType", Shape::Choice(&["text", "html"])),
    ],
};

/// `microsoft.graph.physicalAddress`.
const PHYSICAL_ADDRESS: ObjectShape = ObjectShape {
    type_name: "microsoft.graph.physicalAddress",
    fields: &[
        ("city", Shape::Text),
        ("countryOrRegion", Shape::Text),
        ("postalCode", Shape::Text),
        ("state", Shape::Text),
        ("street", Shape::Text),
    ],
};

/// `microsoft.graph.outlookGeoCoordinates`.
const GEO_COORDINATES: ObjectShape = ObjectShape {
    type_name: "microsoft.graph.outlookGeoCoordinates",
    fields: &[
        ("accuracy", Shape::Number),
        ("altitude", Shape::Number),
        ("altitudeAccuracy", Shape::Number),
        ("latitude", Shape::Number),
        ("longitude", Shape::Number),
    ],
};

/// `microsoft.graph.location`.
pub const LOCATION: ObjectShape = ObjectShape {
    type_name: "microsoft.graph.location",
    fields: &[
        ("address", Shape::Object(&PHYSICAL_ADDRESS)),
        ("coordinates", Shape::Object(&GEO_COORDINATES)),
        ("displayName", Shape::Text),
        ("locationEmailAddress", Shape::Text),
        (
            "locationType",
            Shape::Choice(&[
                "default",
                "conferenceRoom",
                "homeAddress",
                "businessAddress",
                "geoCoordinates",
                "streetAddress",
                "hotel",
                "restaurant",
                "localBusiness",
                "postalAddress",
            ]),
        ),
        ("locationUri", Shape::Text),
        ("uniqueId", Shape::Text),
        (
            "uniqueIdType",
            Shape::Choice(&["unknown", "locationStore", "directory", "private", "bing"]),
        ),
        ("resolveAvailability", Shape::Ignored),
    ],
};

/// `microsoft.graph.recurrencePattern`.
const RECURRENCE_PATTERN: ObjectShape = ObjectShape {
    type_name: "microsoft.graph.recurrencePattern",
    fields: &[
        ("dayOfMonth", Shape::Integer),
        ("daysOfWeek", Shape::List(&Shape::Choice(DAYS_OF_WEEK))),
        ("firstDayOfWeek", Shape::Choice(DAYS_OF_WEEK)),
        (
            "index",
            Shape::Choice(&["first", "second", "third", "fourth", "last"]),
        ),
        ("interval", Shape::Integer),
        ("month", Shape::Integer),
        (
            "type",
            Shape::Choice(&[
                "daily",
                "weekly",
                "absoluteMonthly",
                "relativeMonthly",
                "absoluteYearly",
                "relativeYearly",
            ]),
        ),
    ],
};

/// `microsoft.graph.recurrenceRange`.
const RECURRENCE_RANGE: ObjectShape = ObjectShape {
    type_name: "microsoft.graph.recurrenceRange",
    fields: &[
        ("endDate", Shape::Text),
        ("numberOfOccurrences", Shape::Integer),
        ("recurrenceTimeZone", Shape::Text),
        ("startDate", Shape::Text),
        ("type", Shape::Choice(&["endDate", "noEnd", "numbered"])),
    ],
};

/// `microsoft.graph.patternedRecurrence`.
const PATTERNED_RECURRENCE: ObjectShape = ObjectShape {
    type_name: "microsoft.graph.patternedRecurrence",
    fields: &[
        ("pattern", Shape::Object(&RECURRENCE_PATTERN)),
        ("range", Shape::Object(&RECURRENCE_RANGE)),
    ],
};

/// `microsoft.graph.onlineMeetingProviderType`.
const ONLINE_MEETING_PROVIDERS: &[&str] = &[
    "unknown",
    "skypeForBusiness",
    "skypeForConsumer",
    "teamsForBusiness",
];

/// `microsoft.graph.event`: what creates and updates may set.
pub const EVENT: ObjectShape = ObjectShape {
    type_name: "microsoft.graph.event",
    fields: &[
        ("allowNewTimeProposals", Shape::Flag),
        ("attendees", Shape::List(&Shape::Object(&ATTENDEE))),
        ("body", Shape::Object(&ITEM_BODY)),
        ("categories", Shape::List(&Shape::Text)),
        ("end", Shape::Object(&DATE_TIME_TIME_ZONE)),
        ("hideAttendees", Shape::Flag),
        ("importance", Shape::Choice(&["low", "normal", "high"])),
        ("isAllDay", Shape::Flag),
        ("isOnlineMeeting", Shape::Flag),
        ("isReminderOn", Shape::Flag),
        ("location", Shape::Object(&LOCATION)),
        ("locations", Shape::List(&Shape::Object(&LOCATION))),
        (
            "onlineMeetingProvider",
            Shape::Choice(ONLINE_MEETING_PROVIDERS),
        ),
        ("organizer", Shape::Object(&RECIPIENT)),
        ("originalEndTimeZone", Shape::Text),
        ("originalStartTimeZone", Shape::Text),
        ("recurrence", Shape::Object(&PATTERNED_RECURRENCE)),
        ("reminderMinutesBeforeStart", Shape::Integer),
        ("responseRequested", Shape::Flag),
        (
            "sensitivity",
            Shape::Choice(&["normal", "personal", "private", "confidential"]),
        ),
        ("showAs", Shape::Choice(FREE_BUSY_STATUSES)),
        ("start", Shape::Object(&DATE_TIME_TIME_ZONE)),
        ("subject", Shape::Text),
        ("transactionId", Shape::Text),
        ("id", Shape::Ignored),
        ("createdDateTime", Shape::Ignored),
        ("lastModifiedDateTime", Shape::Ignored),
        ("changeKey", Shape::Ignored),
        ("bodyPreview", Shape::Ignored),
        ("hasAttachments", Shape::Ignored),
        ("iCalUId", Shape::Ignored),
        ("isCancelled", Shape::Ignored),
        ("isDraft", Shape::Ignored),
        ("isOrganizer", Shape::Ignored),
        ("onlineMeeting", Shape::Ignored),
        ("onlineMeetingUrl", Shape::Ignored),
        ("originalStart", Shape::Ignored),
        ("responseStatus", Shape::Ignored),
        ("seriesMasterId", Shape::Ignored),
        ("type", Shape::Ignored),
        ("webLink", Shape::Ignored),
    ],
};

/// `microsoft.graph.calendarColor`.
const CALENDAR_COLORS: &[&str] = &[
    "auto",
    "lightBlue",
    "lightGreen",
    "lightOrange",
    "lightGray",
    "lightYellow",
    "lightTeal",
    "lightPink",
    "lightBrown",
    "lightRed",
    "maxColor",
];

/// `microsoft.graph.calendar`: what creates and updates may set.
pub const CALENDAR: ObjectShape = ObjectShape {
    type_name: "microsoft.graph.calendar",
    fields: &[
        ("name", Shape::Text),
        ("color", Shape::Choice(CALENDAR_COLORS)),
        ("hexColor", Shape::Text),
        ("id", Shape::Ignored),
        ("allowedOnlineMeetingProviders", Shape::Ignored),
        ("canEdit", Shape::Ignored),
        ("canShare", Shape::Ignored),
        ("canViewPrivateItems", Shape::Ignored),
        ("changeKey", Shape::Ignored),
        ("defaultOnlineMeetingProvider", Shape::Ignored),
        ("isDefaultCalendar", Shape::Ignored),
        ("isRemovable", Shape::Ignored),
        ("isTallyingResponses", Shape::Ignored),
        ("owner", Shape::Ignored),
    ],
};

/// `microsoft.graph.locationConstraint`.
pub const LOCATION_CONSTRAINT: ObjectShape = ObjectShape {
    type_name: "microsoft.graph.locationConstraint",
    fields: &[
        ("isRequired", Shape::Flag),
        ("locations", Shape::List(&Shape::Object(&LOCATION))),
        ("suggestLocation", Shape::Flag),
    ],
};

/// `microsoft.graph.timeConstraint`.
pub const TIME_CONSTRAINT: ObjectShape = ObjectShape {
    type_name: "microsoft.graph.timeConstraint",
    fields: &[
        (
            "activityDomain",
            Shape::Choice(&["unknown", "work", "personal", "unrestricted"]),
        ),
        ("timeSlots", Shape::List(&Shape::Object(&TIME_SLOT))),
    ],
};
