//! Sync wire types shared by the Kith client and the practice server, versioned.
