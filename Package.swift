// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Backprop",
    products: [
        .library(name: "Backprop", targets: ["Backprop"]),
        .library(name: "BackpropNN", targets: ["BackpropNN"]),
    ],
    targets: [
        .target(name: "CBackpropKernels"),
        .target(name: "Backprop", dependencies: ["CBackpropKernels"]),
        .target(name: "BackpropNN", dependencies: ["Backprop"]),
        .executableTarget(
            name: "cubic-fit",
            dependencies: ["Backprop"],
            path: "Sources/Examples/cubic-fit"
        ),
        .executableTarget(
            name: "backprop-bench",
            dependencies: ["Backprop", "BackpropNN"],
            path: "Sources/Benchmarks",
            exclude: ["peers"]
        ),
        .testTarget(name: "BackpropTests", dependencies: ["Backprop"]),
        .testTarget(name: "BackpropNNTests", dependencies: ["BackpropNN", "Backprop"]),
    ],
    swiftLanguageModes: [.v6]
)
