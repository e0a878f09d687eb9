package portal

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestParseLanguage(t *testing.T) {
	for _, s := range []string{"mn", "en"} {
		if l, err := ParseLanguage(s); err != nil || string(l) != s {
			t.Errorf("ParseLanguage(%q) = %q, %v", s, l, err)
		}
	}
	for _, s := range []string{"", "fr", "MN", "en-US", "<script>"} {
		if _, err := ParseLanguage(s); ErrorCode(err) != EINVALID {
			t.Errorf("ParseLanguage(%q): error %v, want EINVALID", s, err)
		}
	}
	if Mongolian.Other() != English || English.Other() != Mongolian {
		t.Error("Other does not swap the languages")
	}
}

func date(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, MongoliaTime)
	return &t
}

func TestGuidelineMetaValidate(t *testing.T) {
	valid := func() GuidelineMeta {
		return GuidelineMeta{Title: "T", Slug: "truck-drivers", Language: English, TranslationKey: "truck-drivers",
			Status: StatusOpen, CommentOpens: date(2026, 10, 1), CommentCloses: date(2027, 1, 31)}
	}
	tests := []struct {
		field string
		edit  func(m *GuidelineMeta)
	}{
		{"", func(*GuidelineMeta) {}},
		{"title", func(m *GuidelineMeta) { m.Title = "  " }},
		{"slug", func(m *GuidelineMeta) { m.Slug = "Truck_Drivers" }},
		{"slug", func(m *GuidelineMeta) { m.Slug = "жолооч" }},
		{"language", func(m *GuidelineMeta) { m.Language = "fr" }},
		{"translation_key", func(m *GuidelineMeta) { m.TranslationKey = "" }},
		{"status", func(m *GuidelineMeta) { m.Status = "final" }},
		{"comment_closes", func(m *GuidelineMeta) { m.CommentCloses = nil }},
		{"comment_closes", func(m *GuidelineMeta) { m.CommentCloses = date(2026, 9, 1) }},
	}
	for _, tt := range tests {
		m := valid()
		tt.edit(&m)
		err := m.Validate()
		var e *Error
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("valid meta: %v", err)
		case tt.field != "" && (!errors.As(err, &e) || e.Fields[tt.field] == ""):
			t.Errorf("%s: error %v does not mark the field", tt.field, err)
		}
	}
}

func TestCommentPeriodOpen(t *testing.T) {
	g := &Guideline{GuidelineMeta: GuidelineMeta{Status: StatusOpen, CommentOpens: date(2026, 10, 1), CommentCloses: date(2027, 1, 31)}}
	tests := []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 9, 30, 23, 0, 0, 0, MongoliaTime), false},
		{time.Date(2026, 10, 1, 0, 0, 0, 0, MongoliaTime), true},
		{time.Date(2027, 1, 31, 23, 59, 0, 0, MongoliaTime), true}, // the last day counts whole
		{time.Date(2027, 1, 31, 16, 30, 0, 0, time.UTC), false},    // 00:30 on 1 February in Mongolia
	}
	for _, tt := range tests {
		if got := g.CommentPeriodOpen(tt.at); got != tt.want {
			t.Errorf("CommentPeriodOpen(%v) = %v, want %v", tt.at, got, tt.want)
		}
	}
	g.Status = StatusAdopted
	if g.CommentPeriodOpen(time.Date(2026, 11, 1, 0, 0, 0, 0, MongoliaTime)) {
		t.Error("an adopted guideline takes comments")
	}
}

func TestErrorCodeAndMessage(t *testing.T) {
	wrapped := fmt.Errorf("store: %w", Errorf(ENOTFOUND, "guideline %s not found", "en:x"))
	if ErrorCode(wrapped) != ENOTFOUND || ErrorMessage(wrapped) != "guideline en:x not found" {
		t.Errorf("wrapped: %q %q", ErrorCode(wrapped), ErrorMessage(wrapped))
	}
	internal := &Error{Code: EINTERNAL, Message: "disk on fire", Err: errors.New("io")}
	if ErrorMessage(internal) != "" {
		t.Error("an internal error's message reaches users")
	}
	if ErrorCode(errors.New("plain")) != EINTERNAL || ErrorCode(nil) != "" {
		t.Error("plain errors must be internal and nil must have no code")
	}
}
