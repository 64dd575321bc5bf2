//! The Kith practice server: accounts, devices and an end-to-end encrypted record relay.
