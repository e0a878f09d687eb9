package portal

// Verifier returns who last verified the service, in both languages.
func (s *Service) Verifier() Text {
	if s.AssuredByMN == "" {
		return Text{MN: s.AssuredBy, EN: s.AssuredBy}
	}
	return Text{MN: s.AssuredByMN, EN: s.AssuredBy}
}

// SetVerifier records who verified the service, t in both languages (a person's name is the
// same in both): AssuredBy in English, AssuredByMN in Mongolian when that differs.
func (s *Service) SetVerifier(t Text) {
	s.AssuredBy, s.AssuredByMN = t.EN, t.MN
	if s.AssuredBy == "" {
		s.AssuredBy = t.MN
	}
	if s.AssuredByMN == s.AssuredBy {
		s.AssuredByMN = ""
	}
}
