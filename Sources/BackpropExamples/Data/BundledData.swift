import Foundation

/// The data sets shipped with the examples, each beside its licence or copyright notice.
public enum BundledData {
    /// `digits/digits.csv`: 1,797 8×8 handwritten digits (CC BY 4.0; see `digits/README.md`).
    public static var digitsCSV: URL { file("digits", "digits.csv") }

    /// `words/words.txt`: 63,737 English words (see `words/COPYRIGHT`).
    public static var wordList: URL { file("words", "words.txt") }

    static func file(_ folder: String, _ name: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent(folder).appendingPathComponent(name)
    }
}
