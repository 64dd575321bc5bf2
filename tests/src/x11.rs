//! Closes a window the way a window manager's close button does — a `WM_DELETE_WINDOW` client
//! message — by speaking the X11 protocol to the test's own Xvfb. WebDriver's "close window"
//! destroys the web view instead, so it cannot show what the app does when asked to close.
//!
//! Only what that needs: connect (Xvfb runs without authorisation), intern two atoms, list the
//! top-level windows, read their names, send the message.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use anyhow::{bail, Context};

/// The predefined atom `WM_NAME`.
const WM_NAME: u32 = 39;
/// `ClientMessage`'s event code.
const CLIENT_MESSAGE: u8 = 33;

struct Connection {
    stream: UnixStream,
    root: u32,
}

fn padded(length: usize) -> usize {
    length.div_ceil(4) * 4
}

impl Connection {
    fn open(display: u32) -> anyhow::Result<Connection> {
        let path = format!("/tmp/.X11-unix/X{display}");
        let mut stream =
            UnixStream::connect(&path).with_context(|| format!("connecting to {path}"))?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        // Little-endian, protocol 11.0, no authorisation.
        stream.write_all(&[b'l', 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0])?;
        let mut head = [0u8; 8];
        stream.read_exact(&mut head)?;
        let mut setup = vec![0u8; usize::from(u16::from_le_bytes([head[6], head[7]])) * 4];
        stream.read_exact(&mut setup)?;
        if head[0] != 1 {
            bail!("the X server refused the connection: {}", String::from_utf8_lossy(&setup));
        }
        let vendor = usize::from(u16::from_le_bytes([setup[16], setup[17]]));
        let formats = usize::from(setup[21]);
        let screen = 32 + padded(vendor) + 8 * formats;
        let root = u32::from_le_bytes(setup[screen..screen + 4].try_into()?);
        Ok(Connection { stream, root })
    }

    /// Sends a request and, for one that answers, reads its reply (header and data).
    fn request(&mut self, bytes: &[u8], answers: bool) -> anyhow::Result<Vec<u8>> {
        self.stream.write_all(bytes)?;
        if !answers {
            return Ok(Vec::new());
        }
        loop {
            let mut reply = vec![0u8; 32];
            self.stream.read_exact(&mut reply)?;
            match reply[0] {
                0 => bail!("the X server answered request {} with error {}", bytes[0], reply[1]),
                1 => {
                    let extra = u32::from_le_bytes(reply[4..8].try_into()?) as usize * 4;
                    let mut rest = vec![0u8; extra];
                    self.stream.read_exact(&mut rest)?;
                    reply.extend(rest);
                    return Ok(reply);
                }
                // An event: not asked for, skipped.
                _ => continue,
            }
        }
    }

    fn intern_atom(&mut self, name: &str) -> anyhow::Result<u32> {
        let mut bytes = vec![16, 0];
        bytes.extend(u16::try_from(2 + padded(name.len()) / 4)?.to_le_bytes());
        bytes.extend(u16::try_from(name.len())?.to_le_bytes());
        bytes.extend([0, 0]);
        bytes.extend(name.as_bytes());
        bytes.resize(8 + padded(name.len()), 0);
        let reply = self.request(&bytes, true)?;
        Ok(u32::from_le_bytes(reply[8..12].try_into()?))
    }

    fn children(&mut self, window: u32) -> anyhow::Result<Vec<u32>> {
        let mut bytes = vec![15, 0, 2, 0];
        bytes.extend(window.to_le_bytes());
        let reply = self.request(&bytes, true)?;
        let count = usize::from(u16::from_le_bytes([reply[16], reply[17]]));
        reply[32..32 + 4 * count]
            .chunks_exact(4)
            .map(|chunk| Ok(u32::from_le_bytes(chunk.try_into()?)))
            .collect()
    }

    fn property(&mut self, window: u32, property: u32) -> anyhow::Result<Vec<u8>> {
        let mut bytes = vec![20, 0, 6, 0];
        for value in [window, property, 0, 0, 256] {
            bytes.extend(value.to_le_bytes());
        }
        let reply = self.request(&bytes, true)?;
        let format = usize::from(reply[1]) / 8;
        let length = u32::from_le_bytes(reply[16..20].try_into()?) as usize * format;
        Ok(reply[32..32 + length].to_vec())
    }
}

/// Asks every top-level window called `title` on `display` to close, as a window manager's
/// close button would, and waits until the X server has passed the message on. Returns how
/// many windows were asked.
pub fn ask_windows_to_close(display: u32, title: &str) -> anyhow::Result<usize> {
    let mut x = Connection::open(display)?;
    let protocols = x.intern_atom("WM_PROTOCOLS")?;
    let delete = x.intern_atom("WM_DELETE_WINDOW")?;
    let net_name = x.intern_atom("_NET_WM_NAME")?;
    let root = x.root;
    let mut asked = 0;
    for window in x.children(root)? {
        let named = x.property(window, WM_NAME)? == title.as_bytes()
            || x.property(window, net_name)? == title.as_bytes();
        if !named {
            continue;
        }
        let mut bytes = vec![25, 0, 11, 0];
        bytes.extend(window.to_le_bytes());
        bytes.extend(0u32.to_le_bytes());
        bytes.extend([CLIENT_MESSAGE, 32, 0, 0]);
        for value in [window, protocols, delete, 0, 0, 0, 0] {
            bytes.extend(value.to_le_bytes());
        }
        x.request(&bytes, false)?;
        asked += 1;
    }
    // GetInputFocus answers only after everything before it was handled.
    x.request(&[43, 0, 1, 0], true)?;
    Ok(asked)
}
