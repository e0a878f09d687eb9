// Package directory owns the referral directory's operations, written once for the HTTP
// handlers and the CLI:
//
//   - Editor changes the directory after it was imported: the secretariat's edits and
//     verifications, members' suggestions and their review, and imports; each checks the
//     policy, validates the whole organisation it changes, stores it and writes one audit
//     entry.
//   - The text forms of a service (opening hours, phones, the editable fields compared
//     field by field) are parsed and formatted here (forms.go).
//   - Load reads directory data files (YAML: a gazetteer, the service types, one file per
//     organisation); Starter and ImportStarter bundle the starter directory and store it on
//     an installation's first start.
//
// The HSDS 3 mapping, its API shapes, import and export are in directory/hsds. Everything
// here persists through portal.DirectoryStore and knows nothing of HTTP or of a database.
package directory
