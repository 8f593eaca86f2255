import Foundation

/// What went wrong, in words, for a person: a Foundation file error's underlying system
/// reason ("Permission denied", "Not a directory"), which `localizedDescription` leaves
/// out on Linux; any other error's own description.
public func readableDescription(of error: any Error) -> String {
    let bridged = error as NSError
    if let underlying = bridged.userInfo[NSUnderlyingErrorKey] as? any Error { return readableDescription(of: underlying) }
    switch bridged.domain {
    case NSPOSIXErrorDomain: return String(cString: strerror(Int32(bridged.code)))
    case NSCocoaErrorDomain: return bridged.localizedDescription
    default: return String(describing: error)
    }
}
