//! The `credential_process` command-line splitter on any text: no panic, and what it
//! splits, joined with spaces and split again, gives the same words when no word holds
//! a space or a quote.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(words) = aws_login::shlex::split(text) else {
        return;
    };
    let plain = words
        .iter()
        .all(|w| !w.is_empty() && !w.contains(|c: char| c.is_whitespace() || "'\"\\#".contains(c)));
    if plain {
        let again = aws_login::shlex::split(&words.join(" ")).expect("plain words split");
        assert_eq!(again, words);
    }
});
