package mail

import (
	"fmt"
	"strings"
	"time"

	"github.com/gobidialogue/portal"
)

// The messages' texts, in both languages, with the terms of shared/GLOSSARY.md. They live
// here rather than in the theme's catalogs: those are for pages, and a message must read the
// same whatever theme a site uses. A {name} is replaced by its value; nothing else is.
const (
	resetSubjectMN = "Нууц үг сэргээх холбоос"
	resetSubjectEN = "Password reset link"

	resetBodyMN = `{greeting}

Говийн яриа хэлэлцээний портал дахь таны бүртгэлийн нууц үгийг сэргээх хүсэлт ирлээ. Шинэ нууц үг сонгохын тулд энэ холбоосыг нээнэ үү:

{link}

Холбоос нэг удаа ажиллах бөгөөд {expires} хүртэл хүчинтэй (Улаанбаатарын цагаар).

Хэрэв та ийм хүсэлт гаргаагүй бол энэ и-мэйлийг үл тоомсорлоно уу: таны нууц үг өөрчлөгдөхгүй.
`
	resetBodyEN = `{greeting}

Someone asked to reset the password of your account on the Gobi Dialogue Portal. Open this link to choose a new password:

{link}

The link works once, until {expires} (Ulaanbaatar time).

If you did not ask for this, ignore this e-mail: your password stays as it is.
`

	inviteSubjectMN = "Говийн яриа хэлэлцээний порталын урилга"
	inviteSubjectEN = "Invitation to the Gobi Dialogue Portal"

	inviteBodyMN = `Сайн байна уу.

Таныг Говийн яриа хэлэлцээний портал дахь яриа хэлэлцээний талбарт урьж байна. Бүртгэлээ үүсгэхийн тулд энэ холбоосыг нээнэ үү:

{link}

Урьсан: {inviter}
{org}Холбоос зөвхөн {email} хаягт зориулагдсан бөгөөд нэг удаа ажиллана. {expires} хүртэл хүчинтэй (Улаанбаатарын цагаар).

Хэрэв та энэ урилгыг хүлээж байгаагүй бол энэ и-мэйлийг үл тоомсорлоно уу: бүртгэл үүсэхгүй.
`
	inviteBodyEN = `Hello,

You are invited to the dialogue platform on the Gobi Dialogue Portal. Open this link to create your account:

{link}

Invited by: {inviter}
{org}The link is for {email} only and works once, until {expires} (Ulaanbaatar time).

If you did not expect this invitation, ignore this e-mail: no account is created.
`
	inviteOrgMN = "Байгууллага: {org}\n"
	inviteOrgEN = "Organisation: {org}\n"

	greetingMN     = "Сайн байна уу."
	greetingNameMN = "Сайн байна уу, {name}."
	greetingEN     = "Hello,"
	greetingNameEN = "Hello {name},"

	// separator stands between the two languages of a message.
	separator = "\n----------------------------------------\n\n"
)

// texts are the messages of one language.
type texts struct {
	resetSubject, resetBody   string
	inviteSubject, inviteBody string
	inviteOrg                 string
	greeting, greetingName    string
	date                      func(time.Time) string
}

var catalog = map[portal.Language]texts{
	portal.Mongolian: {resetSubjectMN, resetBodyMN, inviteSubjectMN, inviteBodyMN, inviteOrgMN, greetingMN, greetingNameMN, dateMN},
	portal.English:   {resetSubjectEN, resetBodyEN, inviteSubjectEN, inviteBodyEN, inviteOrgEN, greetingEN, greetingNameEN, dateEN},
}

// order returns the languages of a message to a person who reads first: theirs first, and
// Mongolian first for anyone who has not chosen English.
func order(first portal.Language) [2]portal.Language {
	if first == portal.English {
		return [2]portal.Language{portal.English, portal.Mongolian}
	}
	return [2]portal.Language{portal.Mongolian, portal.English}
}

// bilingual joins what text returns for each language, the reader's first.
func bilingual(first portal.Language, sep string, text func(texts) string) string {
	langs := order(first)
	return text(catalog[langs[0]]) + sep + text(catalog[langs[1]])
}

// fill replaces each {key} of s with its value, in one pass: a value that holds "{link}"
// stays as it is.
func fill(s string, kv ...string) string {
	pairs := make([]string, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, "{"+kv[i]+"}", kv[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

var monthsEN = [...]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

// dateEN and dateMN write a moment in Mongolia's time zone as the portal's pages do:
// "27 November 2026 13:00", "2026 оны 11-р сарын 27 13:00".
func dateEN(t time.Time) string {
	d := t.In(portal.MongoliaTime)
	return fmt.Sprintf("%d %s %d %s", d.Day(), monthsEN[d.Month()-1], d.Year(), d.Format("15:04"))
}

func dateMN(t time.Time) string {
	d := t.In(portal.MongoliaTime)
	return fmt.Sprintf("%d оны %d-р сарын %d %s", d.Year(), int(d.Month()), d.Day(), d.Format("15:04"))
}
