package handlers_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
)

// TestDirectoryFormsCheckText: the directory's forms check their texts with
// portal.CheckText, as the HSDS import and the editor do: a NUL or a terminal's escape is
// not valid, a 100 KB description too long, and a bidi control in a one-line field gets
// its own message in the person's language. Nothing is saved.
func TestDirectoryFormsCheckText(t *testing.T) {
	p := editServer(t)
	_, sec := p.Person(t, "sec@council.mn", "Нарийн", portal.RoleSecretariat, "")
	servicePath := "/directory/services/" + editedService + "/edit"
	orgPath := "/directory/organizations/ub-safe-house/edit"
	serviceForm := formValues(get(t, p.Router, "GET", servicePath, "Cookie", sec), "form.service-form")
	orgForm := formValues(get(t, p.Router, "GET", orgPath, "Cookie", sec), "form.org-form")
	orgForm.Set("group", "civil_society")
	before := directory.Fields(service(t, p.DB, editedService), portal.English)

	const bidiEN, bidiMN = "changes the direction of the text", "бичвэрийн чиглэлийг өөрчилдөг"
	tests := []struct {
		name, path, lang string
		form             url.Values
		field, value     string
		message          string
	}{
		{"override in a service name", servicePath, "en", serviceForm, "name_en", "Shelter \u202egnp.exe", bidiEN},
		{"isolate in a service name", servicePath, "mn", serviceForm, "name_mn", "\u2067Байр", bidiMN},
		{"mark in an organisation name", orgPath, "en", orgForm, "name_en", "Safe House\u200f", bidiEN},
		{"NUL in a description", servicePath, "en", serviceForm, "description_en", "Help\x00", "This value is not valid."},
		{"terminal escape in a description", servicePath, "en", serviceForm, "description_mn", "Тусламж \x1b[2J", "This value is not valid."},
		{"100 KB description", servicePath, "en", serviceForm, "description_en", strings.Repeat("help ", 20<<10), "This is too long."},
		{"bidi control in a multi-line text is text", servicePath, "en", serviceForm, "hours", "\u202eMon-Fri 09:00-17:00", "Line 1:"},
		{"escaping", servicePath, "en", serviceForm, "name_en", `"><script>alert(1)</script>` + "\u202e", bidiEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := url.Values{}
			for k, vs := range tt.form {
				v[k] = append([]string(nil), vs...)
			}
			v.Set(tt.field, tt.value)
			r := post(t, p.Router, tt.path+"?lang="+tt.lang, v, "Cookie", sec)
			if r.Code != 400 || !strings.Contains(fieldError(r, tt.field), tt.message) {
				t.Fatalf("%d, %s: %q; want 400 and %q\n%.300s", r.Code, tt.field, fieldError(r, tt.field), tt.message, r.body)
			}
			if strings.Contains(r.body, "<script>alert") {
				t.Error("the form lets markup through")
			}
		})
	}
	after := directory.Fields(service(t, p.DB, editedService), portal.English)
	for i := range before {
		if before[i] != after[i] {
			t.Errorf("a refused form changed %s", before[i].Key)
		}
	}
}
