//! An output buffer that exists only while data is in flight: writes collect in it, a
//! flush sends them in as few syscalls as the socket allows, and then it is freed. The
//! WebSocket library writes each frame straight into it (its own buffer is set to zero), so
//! a burst of frames still leaves in one write, and an idle connection holds no buffer.

use std::{
    io,
    pin::Pin,
    task::{ready, Context, Poll},
};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Past this much unflushed output, writes go through to the socket before buffering more:
/// a bound on one connection's buffer even if its writer never flushes.
const MAX_PENDING: usize = 64 * 1024;

/// `inner` with an output buffer allocated only while there is something to send.
pub struct FlushBuffer<T> {
    inner: T,
    pending: Vec<u8>,
    /// How much of `pending` the socket has taken.
    written: usize,
}

impl<T> FlushBuffer<T> {
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            pending: Vec::new(),
            written: 0,
        }
    }
}

impl<T: AsyncWrite + Unpin> FlushBuffer<T> {
    /// Writes out everything pending; the buffer is released once it is empty.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n =
                ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending = Vec::new();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for FlushBuffer<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for FlushBuffer<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.pending.len() + buf.len() > MAX_PENDING {
            ready!(self.poll_drain(cx))?;
        }
        self.pending.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn writes_wait_for_a_flush_and_the_buffer_is_freed_after_it() {
        let (near, mut far) = tokio::io::duplex(1024);
        let mut buffered = FlushBuffer::new(near);
        buffered.write_all(b"hello ").await.unwrap();
        buffered.write_all(b"world").await.unwrap();
        assert!(buffered.pending.capacity() > 0, "held until the flush");
        buffered.flush().await.unwrap();
        assert_eq!(buffered.pending.capacity(), 0, "nothing held while idle");
        let mut got = [0u8; 11];
        far.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"hello world");
    }

    #[tokio::test]
    async fn a_writer_that_never_flushes_is_bounded() {
        // The far side reads in the background; without a flush, output still leaves once
        // more than MAX_PENDING is pending.
        let (near, mut far) = tokio::io::duplex(MAX_PENDING * 4);
        let mut buffered = FlushBuffer::new(near);
        let chunk = vec![7u8; 1000];
        for _ in 0..(MAX_PENDING / 1000 + 2) {
            buffered.write_all(&chunk).await.unwrap();
        }
        assert!(buffered.pending.len() <= MAX_PENDING);
        let mut first = vec![0u8; MAX_PENDING / 2];
        far.read_exact(&mut first).await.unwrap();
    }
}
