// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Backprop",
    products: [
        .library(name: "Backprop", targets: ["Backprop"]),
    ],
    targets: [
        .target(name: "Backprop"),
        .executableTarget(
            name: "cubic-fit",
            dependencies: ["Backprop"],
            path: "Sources/Examples/cubic-fit"
        ),
        .testTarget(name: "BackpropTests", dependencies: ["Backprop"]),
    ],
    swiftLanguageModes: [.v6]
)
