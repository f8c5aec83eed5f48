package domain

import "time"

// Contact is a person, on their own or working for a third party.
type Contact struct {
	ID           int64
	ThirdPartyID int64 // 0: no third party
	Firstname    string
	Lastname     string
	Email        string
	Phone        string
	Mobile       string
	Role         string // job title (Dolibarr's poste)
	Active       bool
	Version      int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Validate checks the contact's invariants and reports every broken one.
func (c *Contact) Validate() error {
	v := &ValidationError{}
	checkText(v, "firstname", c.Firstname, MaxPersonNameLen, false)
	checkText(v, "lastname", c.Lastname, MaxPersonNameLen, true)
	checkEmail(v, "email", c.Email)
	checkPhone(v, "phone", c.Phone)
	checkPhone(v, "mobile", c.Mobile)
	checkText(v, "role", c.Role, MaxPersonNameLen, false)
	if c.ThirdPartyID < 0 {
		v.Add("thirdparty_id", "invalid", "must be a third party id")
	}
	return v.Err()
}
