//! Hostile servers for `double --hostile MODE`: every connection, on both ports, misbehaves the
//! same way, so tests can prove each breakage is classified without a special server of their
//! own. Plain threads and sockets: wiremock only speaks proper HTTP.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// How a hostile server answers every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Hostile {
    /// `200 application/json` announcing and sending 60 MB.
    HugeBody,
    /// Something that is not HTTP (an SSH banner), then close.
    Garbage,
    /// A TCP reset right after the request.
    Reset,
    /// `Content-Length: 1000`, 12 bytes, close.
    Truncated,
    /// Headers, then one body byte every 200 ms, for ever.
    SlowDrip,
}

/// Serves `mode` on `listener` until the process ends.
pub(crate) fn serve(listener: TcpListener, mode: Hostile) {
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream, mode));
        }
    });
}

fn answer(mut stream: TcpStream, mode: Hostile) {
    if mode == Hostile::Reset {
        // Closing with the request still unread makes the kernel send a reset.
        std::thread::sleep(Duration::from_millis(20));
        return;
    }
    read_head(&mut stream);
    let _ = match mode {
        Hostile::Garbage => stream.write_all(b"SSH-2.0-OpenSSH_9.6\r\n"),
        Hostile::Truncated => stream.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"partial\":",
        ),
        Hostile::HugeBody => huge(&mut stream),
        Hostile::SlowDrip => drip(&mut stream),
        Hostile::Reset => Ok(()),
    };
}

/// Reads up to the end of the request head (the body, if any, is left unread).
fn read_head(stream: &mut TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
}

fn huge(stream: &mut TcpStream) -> std::io::Result<()> {
    const SIZE: usize = 60 * 1024 * 1024;
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {SIZE}\r\n\r\n"
    );
    stream.write_all(head.as_bytes())?;
    let chunk = [b' '; 64 * 1024];
    for _ in 0..SIZE / chunk.len() {
        stream.write_all(&chunk)?;
    }
    Ok(())
}

fn drip(stream: &mut TcpStream) -> std::io::Result<()> {
    stream.write_all(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n[",
    )?;
    loop {
        std::thread::sleep(Duration::from_millis(200));
        stream.write_all(b" ")?;
    }
}
