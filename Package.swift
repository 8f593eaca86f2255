// swift-tools-version: 6.0
import PackageDescription

/// The example programs, each run as `swift run -c release NAME`.
let examples = ["xor", "regression", "spirals", "digits", "names", "hessian", "custom-op", "graph", "vanishing-gradients",
                "overfitting", "learning-rate"]

let package = Package(
    name: "Backprop",
    products: [
        .library(name: "Backprop", targets: ["Backprop"]),
        .library(name: "BackpropNN", targets: ["BackpropNN"]),
        .library(name: "BackpropPlot", targets: ["BackpropPlot"]),
        // Data-parallel training over MPI, which it loads at run time: it links no MPI, so it
        // builds everywhere, and only its calls need MPI installed.
        .library(name: "BackpropDistributed", targets: ["BackpropDistributed"]),
    ],
    targets: [
        .target(name: "CBackpropKernels"),
        .target(name: "Backprop", dependencies: ["CBackpropKernels"]),
        .target(name: "BackpropNN", dependencies: ["Backprop"]),
        .target(name: "BackpropDistributed", dependencies: ["Backprop", "BackpropNN"]),
        // SVG charts, a progress bar and a CSV reader: no tensors, so it depends on nothing.
        .target(name: "BackpropPlot"),
        // The examples' data preparation and models, as functions the tests can run small.
        .target(
            name: "BackpropExamples",
            dependencies: ["Backprop", "BackpropNN", "BackpropPlot"],
            resources: [.copy("Resources/digits"), .copy("Resources/words")]
        ),
        .executableTarget(
            name: "backprop-bench",
            dependencies: ["Backprop", "BackpropNN", "BackpropDistributed"],
            path: "Sources/Benchmarks",
            exclude: ["peers"]
        ),
        // Not examples: programs that the tests run in child processes. One makes programmer errors on
        // purpose, for the messages a user sees; one trains, saves and resumes a run in a new process.
        .executableTarget(name: "backprop-misuse", dependencies: ["Backprop", "BackpropNN"],
                          path: "Sources/TestPrograms/misuse"),
        .executableTarget(name: "backprop-resume-check", dependencies: ["Backprop", "BackpropNN"],
                          path: "Sources/TestPrograms/resume-check"),
        .executableTarget(name: "backprop-allocation-check", dependencies: ["Backprop", "BackpropNN"],
                          path: "Sources/TestPrograms/allocation-check"),
        .executableTarget(name: "backprop-distributed-check", dependencies: ["Backprop", "BackpropNN", "BackpropDistributed"],
                          path: "Sources/TestPrograms/distributed-check"),
        .testTarget(name: "BackpropTests", dependencies: ["Backprop"]),
        // BackpropPlot only for the documentation's examples, which chart what they train.
        .testTarget(name: "BackpropNNTests", dependencies: ["BackpropNN", "Backprop", "BackpropPlot"]),
        .testTarget(name: "BackpropPlotTests", dependencies: ["BackpropPlot"]),
        .testTarget(name: "BackpropDistributedTests", dependencies: ["BackpropDistributed"]),
        .testTarget(name: "BackpropExamplesTests",
                    dependencies: ["BackpropExamples", "BackpropNN", "Backprop", "BackpropPlot"]),
    ] + examples.map { name in
        .executableTarget(
            name: name,
            // digits --data-parallel trains over MPI, which BackpropDistributed loads only when asked.
            dependencies: ["Backprop", "BackpropNN", "BackpropPlot", "BackpropExamples"]
                + (name == "digits" ? ["BackpropDistributed"] : []),
            path: "Sources/Examples/\(name)"
        )
    },
    swiftLanguageModes: [.v6]
)
