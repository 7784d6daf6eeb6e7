//! Tests of writing a results folder whole.
use super::*;

#[test]
fn a_results_folder_is_replaced_whole() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("r");
    let mut s = Staging::begin(&out, "run", true).unwrap();
    s.write("a.txt", b"1").unwrap();
    s.write("b.txt", b"1").unwrap();
    s.commit().unwrap();
    let mut s = Staging::begin(&out, "run", true).unwrap();
    s.write("a.txt", b"2").unwrap();
    s.commit().unwrap();
    assert_eq!(fs::read(out.join("a.txt")).unwrap(), b"2");
    assert!(!out.join("b.txt").exists(), "stale file removed");
    assert_eq!(
        fs::read_to_string(out.join(MARKER)).unwrap(),
        "supplyrisk run\na.txt\n"
    );
    assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1, "no leftovers");
}

#[test]
fn foreign_folders_files_and_links_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("r");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("mine.txt"), b"x").unwrap();
    assert_eq!(
        Staging::begin(&out, "run", true).unwrap_err().exit_code(),
        2
    );
    let file = d.path().join("f");
    fs::write(&file, b"x").unwrap();
    assert!(Staging::begin(&file, "run", true).is_err());
    assert!(check_shards(&out, true).is_err());
    assert_eq!(fs::read_dir(d.path()).unwrap().count(), 2);
}

#[test]
fn a_dropped_staging_leaves_nothing() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("r");
    let mut s = Staging::begin(&out, "run", true).unwrap();
    s.write("a.txt", b"1").unwrap();
    drop(s);
    assert_eq!(fs::read_dir(d.path()).unwrap().count(), 0);
}

#[test]
fn shards_share_a_marked_folder() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("parts");
    check_shards(&out, true).unwrap();
    write_shard(&out, "partial-1-of-2.srpart", b"1").unwrap();
    write_shard(&out, "partial-2-of-2.srpart", b"2").unwrap();
    check_shards(&out, true).unwrap();
    assert_eq!(fs::read_dir(&out).unwrap().count(), 3);
    assert!(Staging::begin(&out, "run", true).is_err());
}

#[test]
fn shards_starting_together_see_each_others_temporary_files() {
    // The first shards to finish are writing the marker and their partial
    // results through temporary files, and no marker is in place yet.
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("parts");
    fs::create_dir(&out).unwrap();
    fs::write(out.join(".supplyrisk.tmp-4242-0a1b2c3d"), b"").unwrap();
    fs::write(out.join(".partial-3-of-8.srpart.tmp-4243-deadbeef"), b"").unwrap();
    fs::write(out.join("partial-5-of-8.srpart"), b"5").unwrap();
    check_shards(&out, true).unwrap();
    write_shard(&out, "partial-1-of-8.srpart", b"1").unwrap();
    assert_eq!(
        fs::read_to_string(out.join(MARKER)).unwrap(),
        format!("{SHARDS_LINE}\n")
    );
    // Another file, and the folder is not one of shards.
    let other = d.path().join("other");
    fs::create_dir(&other).unwrap();
    fs::write(other.join("partial-5-of-8.srpart"), b"5").unwrap();
    fs::write(other.join(".notes.tmp-4242-0a1b2c3d"), b"").unwrap();
    assert_eq!(check_shards(&other, true).unwrap_err().exit_code(), 2);
}

#[test]
fn temporary_files_of_shards_are_told_by_name() {
    let pid = shards::shard_temp_pid;
    assert_eq!(pid(".partial-3-of-8.srpart.tmp-123-0a1b2c3d"), Some(123));
    assert_eq!(pid(".supplyrisk.tmp-9-deadbeef"), Some(9));
    assert_eq!(pid(".uncertainty-2-of-4.srpart.tmp-77-00000000"), Some(77));
    // Not a partial result or the marker; no leading dot; a bad random
    // part; no pid.
    assert_eq!(pid(".notes.txt.tmp-1-00000000"), None);
    assert_eq!(pid("partial-3-of-8.srpart.tmp-1-00000000"), None);
    assert_eq!(pid(".partial-3-of-8.srpart.tmp-1-xyz"), None);
    assert_eq!(pid(".partial-3-of-8.srpart.tmp--00000000"), None);
    assert_eq!(pid("partial-3-of-8.srpart"), None);
}

#[test]
fn dots_and_missing_folders_left_by_dot_dot_are_tidied_away() {
    let d = tempfile::tempdir().unwrap();
    fs::create_dir(d.path().join("real")).unwrap();
    let t = |p: &str| tidy(&d.path().join(p));
    assert_eq!(t("r/."), d.path().join("r"));
    assert_eq!(t("missing/../r"), d.path().join("r"));
    assert_eq!(t("a/b/../../c/./r"), d.path().join("c/r"));
    // An existing folder may be a link, whose `..` is not its parent.
    assert_eq!(t("real/../r"), d.path().join("real/../r"));
    let mut s = Staging::begin(&d.path().join("missing/../r"), "run", true).unwrap();
    s.write("a.txt", b"1").unwrap();
    s.commit().unwrap();
    assert!(d.path().join("r/a.txt").exists());
    assert!(
        !d.path().join("missing").exists(),
        "nothing made on the way"
    );
}
