package accounts

import (
	"context"
	"strings"

	"github.com/gobidialogue/portal"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// ErrLookAlike refuses an invitation or an account whose e-mail address differs from an
// existing account's only in how it is written: another Unicode form (a full-width "ａ"),
// another case (ß and SS), or Cyrillic or Greek letters that look like Latin ones ("а" and
// "a"). Such an address would pass for the other person's in every list and mail.
var ErrLookAlike = portal.Errorf(portal.ECONFLICT, "an account has an e-mail address that looks the same as this one")

// EmailKey returns what an address shares with every address that looks the same: its
// NFKC form, case-folded, with the Cyrillic and Greek letters that look like Latin ones
// replaced by those. Two addresses with the same key are look-alikes; the key is for
// comparing only, never for sending mail.
func EmailKey(email string) string {
	s := cases.Fold().String(norm.NFKC.String(strings.TrimSpace(email)))
	s = strings.Map(func(r rune) rune {
		if l, ok := latinLookAlikes[r]; ok {
			return l
		}
		return r
	}, s)
	return norm.NFKC.String(s)
}

// latinLookAlikes maps lower-case letters (what case folding leaves) that a reader cannot
// tell from a Latin letter in most fonts to that letter: Cyrillic, which every Mongolian
// keyboard types, Greek, and two Latin letters of other alphabets. It holds the clearest
// of Unicode's confusables (UTS #39) for these scripts, not all of them.
var latinLookAlikes = map[rune]rune{
	// Cyrillic
	'а': 'a', 'е': 'e', 'ё': 'ë', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'ү': 'y', 'і': 'i',
	'ї': 'ï', 'ј': 'j', 'ѕ': 's', 'һ': 'h', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ӏ': 'l',
	// Greek
	'α': 'a', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'υ': 'u', 'χ': 'x', 'γ': 'y',
	// Latin
	'ı': 'i', 'ɡ': 'g',
}

// checkNoLookAlike returns ErrLookAlike when an account's address is not email but looks
// the same. It reads every person (the embedded engine scans them for any query anyway):
// invitations and new accounts are rare.
func (s *Service) checkNoLookAlike(ctx context.Context, email string) error {
	users, err := s.Store.FindUsers(ctx, portal.UserFilter{})
	if err != nil {
		return err
	}
	key := EmailKey(email)
	for _, u := range users {
		if u.Email != email && EmailKey(u.Email) == key {
			return ErrLookAlike
		}
	}
	return nil
}
