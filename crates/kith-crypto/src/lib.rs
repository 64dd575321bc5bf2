//! Every key and cipher in Kith: passphrase KDF, key wrapping, recovery keys, record envelopes.
