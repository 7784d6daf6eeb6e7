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
