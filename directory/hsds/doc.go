// Package hsds maps the referral directory onto Open Referral's Human Services Data
// Specification 3.0: the objects of the HSDS API (Mapper, and the types named as HSDS names
// its objects), the export as a Frictionless data package of CSV tables and JSON (Export),
// and the import of such tables, checked against the gazetteer and the taxonomy (Import).
// hsds.go says how the portal's bilingual directory maps onto HSDS where the standard is
// silent.
//
// It reads only the public directory and never emits a confidential location's address or
// coordinates. Storing what Import returns is directory.Editor's job, so an import is
// audited like an edit made in the browser.
package hsds
