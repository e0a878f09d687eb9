package directory_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
)

func TestParseHours(t *testing.T) {
	mf := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	tests := []struct {
		in     string
		always bool
		want   []portal.Schedule
		kind   string // of the *LineError, when it fails
		line   int
	}{
		{in: "24/7", always: true},
		{in: "  24 цаг ", always: true},
		{in: "Mon-Fri 09:00-17:00", want: []portal.Schedule{{Days: mf, Opens: "09:00", Closes: "17:00"}}},
		{in: "Даваа–Баасан 9:00–13:00, 14:00–18:00", want: []portal.Schedule{
			{Days: mf, Opens: "09:00", Closes: "13:00"}, {Days: mf, Opens: "14:00", Closes: "18:00"}}},
		{in: "\nsat, sun 10:00-14:00\n\n", want: []portal.Schedule{
			{Days: []time.Weekday{time.Saturday, time.Sunday}, Opens: "10:00", Closes: "14:00"}}},
		{in: "mon-wed, fri 08:00-12:00\nthu 08:00-10:00", want: []portal.Schedule{
			{Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Friday}, Opens: "08:00", Closes: "12:00"},
			{Days: []time.Weekday{time.Thursday}, Opens: "08:00", Closes: "10:00"}}},
		{in: "Ням 00:00-23:59", want: []portal.Schedule{{Days: []time.Weekday{time.Sunday}, Opens: "00:00", Closes: "23:59"}}},

		{in: "Funday 09:00-17:00", kind: "day", line: 1},
		{in: "mon-fri", kind: "time", line: 1},
		{in: "09:00-17:00", kind: "day", line: 1},
		{in: "fri-mon 09:00-17:00", kind: "day", line: 1},
		{in: "mon 9-17", kind: "time", line: 1},
		{in: "mon 25:00-26:00", kind: "time", line: 1},
		{in: "mon 22:00-06:00", kind: "order", line: 1},
		{in: "mon 09:00-09:00", kind: "order", line: 1},
		{in: "mon-fri 09:00-17:00\n\nwed 16:00-18:00", kind: "overlap", line: 3},
		{in: "mon, mon 09:00-10:00", kind: "repeat", line: 1},
		{in: "mon <script> 09:00-10:00", kind: "day", line: 1},
		{in: strings.Repeat("mon 01:00-01:01\n", directory.MaxHourLines+1), kind: "too_many", line: directory.MaxHourLines + 1},
	}
	for _, tt := range tests {
		always, got, err := directory.ParseHours(tt.in)
		if tt.kind != "" {
			var le *directory.LineError
			if !errors.As(err, &le) || le.Kind != tt.kind || le.Line != tt.line {
				t.Errorf("ParseHours(%q) error = %v, want %s on line %d", tt.in, err, tt.kind, tt.line)
			}
			continue
		}
		if err != nil || always != tt.always || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseHours(%q) = %v, %+v, %v; want %v, %+v", tt.in, always, got, err, tt.always, tt.want)
		}
	}
}

func TestFormatHoursRoundTrip(t *testing.T) {
	for _, in := range []string{"Mon–Fri 09:00–13:00\nMon–Fri 14:00–18:00\nSat, Sun 10:00–14:00", "24/7", "Mon, Wed, Fri 08:00–12:00"} {
		always, hours, err := directory.ParseHours(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := directory.FormatHours(always, hours, portal.English); got != in {
			t.Errorf("FormatHours(ParseHours(%q)) = %q", in, got)
		}
		mn := directory.FormatHours(always, hours, portal.Mongolian)
		a2, h2, err := directory.ParseHours(mn)
		if err != nil || a2 != always || !reflect.DeepEqual(h2, hours) {
			t.Errorf("Mongolian %q reads back as %v %+v %v", mn, a2, h2, err)
		}
	}
	if got := directory.FormatDays([]time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday}, portal.Mongolian); got != "Даваа–Лхагва, Ням" {
		t.Errorf("FormatDays = %q", got)
	}
}

func TestParsePhones(t *testing.T) {
	old := []portal.Phone{{Number: "+976 7011 0300", Example: true}}
	got, err := directory.ParsePhones("+976 7011 0300 | Оффис | Office\n\n108\n+976 9911 0301 | 24 цаг", old)
	want := []portal.Phone{
		{Number: "+976 7011 0300", Description: portal.Text{MN: "Оффис", EN: "Office"}, Example: true},
		{Number: "108"},
		{Number: "+976 9911 0301", Description: portal.Text{MN: "24 цаг"}},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParsePhones = %+v, %v; want %+v", got, err, want)
	}
	if back, _ := directory.ParsePhones(directory.FormatPhones(got), got); !reflect.DeepEqual(back, got) {
		t.Errorf("round trip = %+v", back)
	}
	for _, in := range []string{"12345", "108\n<script>alert(1)</script> | x", "+976 7011 03000"} {
		var le *directory.LineError
		if _, err := directory.ParsePhones(in, nil); !errors.As(err, &le) || le.Kind != "phone" {
			t.Errorf("ParsePhones(%q) error = %v, want a phone problem", in, err)
		}
	}
}

func TestChangedAndApplyFields(t *testing.T) {
	a := &portal.Service{ID: "s", Name: portal.Text{MN: "Нэр", EN: "Name"}, Types: []string{"shelter"}, Always: true}
	b := a.Clone()
	b.Name.EN = "Other"
	b.Always, b.Hours = false, []portal.Schedule{{Days: []time.Weekday{time.Monday}, Opens: "09:00", Closes: "10:00"}}
	b.Types = append(b.Types, "hotline")
	keys := directory.ChangedFields(a, b)
	if !reflect.DeepEqual(keys, []string{"name.en", "types", "hours"}) {
		t.Fatalf("ChangedFields = %v", keys)
	}
	c := a.Clone()
	directory.ApplyFields(c, b, keys)
	if len(directory.ChangedFields(c, b)) != 0 {
		t.Errorf("after ApplyFields still differs in %v", directory.ChangedFields(c, b))
	}
	b.Types[0] = "changed"
	if c.Types[0] != "shelter" {
		t.Error("ApplyFields shares a slice with its source")
	}
}

func FuzzParseHours(f *testing.F) {
	for _, s := range []string{"Mon-Fri 09:00-17:00", "Даваа–Баасан 9:00–13:00, 14:00–18:00", "24/7", "sat, sun 10:00-14:00\nmon 08:00-09:00", "mon-", "- 1:1-", "ням 00:00-23:59"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		always, hours, err := directory.ParseHours(in)
		if err != nil {
			var le *directory.LineError
			if !errors.As(err, &le) {
				t.Fatalf("error %v is not a *LineError", err)
			}
			return
		}
		if always && len(hours) > 0 {
			t.Fatal("both always and hours")
		}
		if err := portal.ValidSchedules(hours); err != nil {
			t.Fatalf("accepted invalid hours %+v: %v", hours, err)
		}
		for _, lang := range portal.Languages {
			a2, h2, err := directory.ParseHours(directory.FormatHours(always, hours, lang))
			if err != nil || a2 != always || len(h2) != len(hours) {
				t.Fatalf("%s round trip of %q: %v %+v %v", lang, in, a2, h2, err)
			}
		}
	})
}

func FuzzParsePhones(f *testing.F) {
	for _, s := range []string{"+976 7011 0300 | Оффис | Office", "108", "102\n103", "+44 20 7946 0958 | | Office"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		phones, err := directory.ParsePhones(in, nil)
		if err != nil {
			return
		}
		for _, p := range phones {
			if portal.ValidPhone(p.Number) != nil {
				t.Fatalf("accepted %q", p.Number)
			}
		}
		back, err := directory.ParsePhones(directory.FormatPhones(phones), nil)
		if err != nil || !reflect.DeepEqual(back, phones) {
			t.Fatalf("round trip of %q: %+v %v", in, back, err)
		}
	})
}
