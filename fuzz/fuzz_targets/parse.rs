//! Any text given as a scenario file is either a scenario or an error,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use supplyrisk::scenario::Scenario;

fuzz_target!(|data: &[u8]| {
    // Scenario files are read as UTF-8 (anything else is refused before
    // parsing), so only UTF-8 text reaches the parser.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Scenario::from_toml_str(text, "fuzz.toml");
});
