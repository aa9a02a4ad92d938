//! The byte stream under the reader: plain, or gzip decoded member after
//! member. Members are tracked (file offset, stream offset) so that each
//! record can be located by the member holding it; bytes between members
//! that start no member are skipped and remembered (a deviation of the
//! record after them), and after a damaged member the stream goes on at the
//! next one.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

/// What the gzip source tells the reader.
#[derive(Debug, Default)]
pub(super) struct GzState {
    /// Members seen recently: (file offset, stream offset).
    pub members: VecDeque<(u64, u64)>,
    /// Bytes skipped between members: (stream offset where the skip was,
    /// file offset, how many).
    pub strays: Vec<(u64, u64, u64)>,
}

pub(super) type Shared = Rc<RefCell<GzState>>;

/// A `BufRead` that counts what was consumed and can give back one byte
/// (the first of a gzip magic split over two reads).
pub(super) struct Counting<R> {
    inner: R,
    pos: u64,
    back: Option<u8>,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = {
            let data = self.fill_buf()?;
            let n = data.len().min(buf.len());
            buf[..n].copy_from_slice(&data[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match &self.back {
            Some(b) => Ok(std::slice::from_ref(b)),
            None => self.inner.fill_buf(),
        }
    }
    fn consume(&mut self, amt: usize) {
        if amt == 0 {
            return;
        }
        self.pos += amt as u64;
        if self.back.take().is_some() {
            self.inner.consume(amt - 1);
        } else {
            self.inner.consume(amt);
        }
    }
}

impl<R: BufRead> Counting<R> {
    /// Skips to the next gzip magic (1f 8b); false at the end of the input.
    fn seek_magic(&mut self) -> io::Result<bool> {
        loop {
            let buf = self.fill_buf()?;
            if buf.is_empty() {
                return Ok(false);
            }
            if let Some(i) = buf.windows(2).position(|w| w == [0x1f, 0x8b]) {
                self.consume(i);
                return Ok(true);
            }
            if buf.last() == Some(&0x1f) && buf.len() > 1 {
                let n = buf.len() - 1;
                self.consume(n);
                continue;
            }
            let lone = buf == [0x1f];
            let n = buf.len();
            self.consume(n);
            if lone && self.inner.fill_buf()?.first() == Some(&0x8b) {
                self.back = Some(0x1f);
                self.pos -= 1;
                return Ok(true);
            }
        }
    }
}

type Decoder<R> = flate2::bufread::GzDecoder<Counting<R>>;

/// The decompressed stream.
pub(super) enum Source<R: BufRead> {
    Plain(R),
    Gzip {
        decoder: Option<Decoder<R>>,
        shared: Shared,
        /// Stream bytes produced so far.
        out: u64,
        /// File offset of the member being decoded.
        member: u64,
    },
}

impl<R: BufRead> Source<R> {
    pub(super) fn gzip(input: R) -> (Source<R>, Shared) {
        let shared: Shared = Rc::default();
        shared.borrow_mut().members.push_back((0, 0));
        let counting = Counting {
            inner: input,
            pos: 0,
            back: None,
        };
        let source = Source::Gzip {
            decoder: Some(Decoder::new(counting)),
            shared: Rc::clone(&shared),
            out: 0,
            member: 0,
        };
        (source, shared)
    }

    /// After a damaged member: goes on at the next member (at least one byte
    /// past the damaged one's start). Returns the stream offset, which the
    /// reader takes as its own. A plain stream is left as it is.
    pub(super) fn skip_member(&mut self) -> io::Result<Option<u64>> {
        let Source::Gzip {
            decoder,
            shared,
            out,
            member,
        } = self
        else {
            return Ok(None);
        };
        let Some(d) = decoder.take() else {
            return Ok(Some(*out));
        };
        let mut inner = d.into_inner();
        if inner.pos == *member {
            inner.consume(1);
        }
        let from = inner.pos;
        if inner.seek_magic()? {
            let mut s = shared.borrow_mut();
            if inner.pos > from {
                s.strays.push((*out, from, inner.pos - from));
            }
            s.members.push_back((inner.pos, *out));
            *member = inner.pos;
            *decoder = Some(Decoder::new(inner));
        }
        Ok(Some(*out))
    }
}

impl<R: BufRead> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let (decoder, shared, out, member) = match self {
            Source::Plain(r) => return r.read(buf),
            Source::Gzip {
                decoder,
                shared,
                out,
                member,
            } => (decoder, shared, out, member),
        };
        loop {
            let Some(d) = decoder.as_mut() else {
                return Ok(0);
            };
            let n = d.read(buf)?;
            if n > 0 || buf.is_empty() {
                *out += n as u64;
                return Ok(n);
            }
            let mut inner = decoder.take().expect("decoder present").into_inner();
            if inner.fill_buf()?.is_empty() {
                return Ok(0);
            }
            // Writers pad, or leave bytes between members: skip to the next
            // member, remembering what was skipped.
            let from = inner.pos;
            let found = inner.seek_magic()?;
            let mut s = shared.borrow_mut();
            if inner.pos > from {
                s.strays.push((*out, from, inner.pos - from));
            }
            if !found {
                return Ok(0);
            }
            s.members.push_back((inner.pos, *out));
            // Only members at or after the current record matter; the
            // reader trims the front, this bounds the worst case.
            if s.members.len() > 4096 {
                s.members.pop_front();
            }
            if s.strays.len() > 4096 {
                s.strays.remove(0);
            }
            drop(s);
            *member = inner.pos;
            *decoder = Some(Decoder::new(inner));
        }
    }
}
