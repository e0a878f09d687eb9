package accounts

import (
	"context"

	"github.com/gobidialogue/portal"
)

// LinkListing makes the directory listing listingID the organisation orgID's: the two
// records are then one organisation, which the secretariat manages as one and whose
// members see the listing on their profile. "" (or orgID) undoes a link: the organisation's
// listing is again the one of its own id, if there is one. The caller checks that the
// listing exists; a listing is one organisation's, so linking another's is ECONFLICT.
// Audited as "organisation.listing".
func (s *Service) LinkListing(ctx context.Context, actor *portal.User, orgID, listingID string) error {
	if err := canManageOrgs(actor); err != nil {
		return err
	}
	if listingID == orgID {
		listingID = ""
	}
	if listingID != "" && !portal.ValidSlug(listingID) {
		return portal.FieldError("listing", "directory listing id %q is not valid", listingID)
	}
	o, err := s.Store.FindOrganisation(ctx, orgID)
	if err != nil {
		return err
	}
	before := o.ListingID()
	if before == listingID || listingID == "" && before == orgID {
		return nil
	}
	if err := s.Store.LinkListing(ctx, orgID, listingID); err != nil {
		return err
	}
	type link struct {
		Listing string `json:"listing"`
	}
	after := listingID
	if after == "" {
		after = orgID
	}
	return s.audit(ctx, actor.ID, "organisation.listing", orgID, link{before}, link{after})
}
