//! Kith domain: the types and rules of social prescribing (people, referrals, plans, sessions, notes, consent, safeguarding, outcome measures). Pure: no IO.
