//! The signing time as SigV4 writes it: `YYYYMMDD'T'HHMMSS'Z'`, formatted without allocating.

use chrono::{DateTime, Datelike, Timelike, Utc};

use super::error::SigningError;

/// `20150830T123600Z`, inline.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct AmzDate([u8; 16]);

fn put(buf: &mut [u8], mut n: u32) {
    for b in buf.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

impl AmzDate {
    pub(crate) fn new(time: DateTime<Utc>) -> Result<Self, SigningError> {
        // `DateTime<Utc>`'s getters apply the offset on every call; `naive_utc` does it once.
        let time = time.naive_utc();
        let year = u32::try_from(time.year()).map_err(|_| SigningError::TimeOutOfRange)?;
        if year > 9999 {
            return Err(SigningError::TimeOutOfRange);
        }
        let mut b = *b"00000000T000000Z";
        put(&mut b[0..4], year);
        put(&mut b[4..6], time.month());
        put(&mut b[6..8], time.day());
        put(&mut b[9..11], time.hour());
        put(&mut b[11..13], time.minute());
        // A leap second (second 60 in chrono's nanosecond field) stays at 59.
        put(&mut b[13..15], time.second().min(59));
        Ok(Self(b))
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// `YYYYMMDD`, the date part of the credential scope.
    pub(crate) fn date(&self) -> &[u8; 8] {
        self.0.first_chunk::<8>().unwrap_or(&[b'0'; 8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats_basic_iso8601() {
        let t = Utc.with_ymd_and_hms(2015, 8, 30, 12, 36, 0).single();
        let d = t.map(AmzDate::new);
        assert_eq!(
            d.as_ref().map(|d| d.as_ref().map(|d| d.as_str())),
            Some(Ok("20150830T123600Z"))
        );
        let d = Utc
            .with_ymd_and_hms(987, 1, 2, 3, 4, 5)
            .single()
            .map(AmzDate::new);
        assert_eq!(
            d.as_ref().map(|d| d.as_ref().map(|d| &d.as_str()[..8])),
            Some(Ok("09870102"))
        );
    }

    #[test]
    fn rejects_years_past_9999() {
        let t = Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).single();
        assert_eq!(
            t.map(AmzDate::new).map(|r| r.err()),
            Some(Some(SigningError::TimeOutOfRange))
        );
    }
}
