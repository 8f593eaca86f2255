import Backprop
import Foundation
import Testing
@testable import BackpropNN

@Suite struct CheckpointFormat {
    @Test func tensorsRoundTripBitForBit() throws {
        func expectRoundTrip<S: TensorScalar>(_: S.Type) throws {
            let tensors: [String: Tensor<S>] = [
                "scalar": Tensor(-0.0), "empty": .zeros([0]), "hollow": .zeros([2, 0, 3]),
                "specials": Tensor([.nan, -.infinity, .infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .pi]),
                "layers.0.weight": .normal([4, 5], seed: 3),
            ]
            let loaded: [String: Tensor<S>] = try reloaded(tensors)
            #expect(loaded.mapValues(\.shape) == tensors.mapValues(\.shape))
            #expect(loaded.mapValues { littleEndianBytes($0.scalars) } == tensors.mapValues { littleEndianBytes($0.scalars) })
        }
        try expectRoundTrip(Float.self)
        try expectRoundTrip(Double.self)
    }

    @Test func readsF32AsDoubleAndF64AsFloat() throws {
        #expect(try reloaded(["x": Tensor<Float>([1.5, 0.1, -3])]) == ["x": Tensor<Double>([1.5, Double(Float(0.1)), -3])])
        #expect(try reloaded(["x": Tensor<Double>([0.1, 1e300, -2])]) == ["x": Tensor<Float>([Float(0.1), .infinity, -2])])
    }

    @Test func parsesHandBuiltFile() throws {
        // The header length 264 = 0x0108, little-endian; the JSON padded with spaces to 264 bytes.
        let json = #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let header = Array(json.utf8) + Array(repeating: UInt8(ascii: " "), count: 264 - json.utf8.count)
        let bytes: [UInt8] = [0x08, 0x01, 0, 0, 0, 0, 0, 0] + header + [0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0]
        let tensors: [String: Tensor<Float>] = try loadBytes(bytes)
        #expect(tensors == ["x": Tensor([1.5, -2])])
    }

    @Test func readsHalfPrecision() throws {
        let json = header("h F16 [2,3] [0,12]", "b BF16 [2] [12,16]")
        let halves: [UInt16] = [0x3E00, 0xC000, 0x0001, 0x7BFF, 0x7C00, 0x8000], brains: [UInt16] = [0x3FC0, 0xC000]
        let data = (halves + brains).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let tensors: [String: Tensor<Double>] = try loadBytes(fileBytes(json) + data)
        #expect(tensors["h"] == Tensor(shape: [2, 3], scalars: [1.5, -2, 0x1p-24, 65504, .infinity, -0.0]))
        #expect(tensors["h"]?.scalars.last?.sign == .minus)
        #expect(tensors["b"] == Tensor([1.5, -2]))
        #if !(os(macOS) && arch(x86_64))
        let wrong = (UInt16.min ... UInt16.max).filter { bits in
            let expected = Float(Float16(bitPattern: bits)), actual = floatFromHalf(bits)
            return actual.bitPattern != expected.bitPattern && !(actual.isNaN && expected.isNaN)
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
        #endif
    }

    @Test func writtenHeaderIsPaddedJSONInNameOrder() throws {
        try withTemporaryFile { url in
            let tensors = ["b": Tensor<Float>([1, 2]), "a": Tensor<Float>(3), "c": Tensor<Float>.zeros([3])]
            try saveSafetensors(tensors, to: url, metadata: ["format": "pt"])
            let bytes = try Data(contentsOf: url)
            let length = bytes.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
            #expect(length % 8 == 0 && bytes.count == 8 + length + 6 * 4)
            let header = try #require(try JSONSerialization.jsonObject(with: bytes[8 ..< 8 + length]) as? [String: Any])
            #expect(header["__metadata__"] as? [String: String] == ["format": "pt"])
            for (name, shape, offsets) in [("a", [Int](), [0, 4]), ("b", [2], [4, 12]), ("c", [3], [12, 24])] {
                let entry = header[name] as? [String: Any]
                #expect(entry?["dtype"] as? String == "F32")
                #expect(entry?["shape"] as? [Int] == shape && entry?["data_offsets"] as? [Int] == offsets)
            }
            #expect(bytes.suffix(24) == littleEndianBytes([3, 1, 2, 0, 0, 0] as [Float]))  // a, b, c, back to back
            #expect(try loadSafetensorsMetadata(from: url) == ["format": "pt"])
        }
    }

    @Test func missingAndShortFilesThrow() throws {
        try withTemporaryFile { url in
            #expect(throws: SafetensorsError.missingFile(url)) { try loadSafetensors(from: url) as [String: Tensor<Float>] }
        }
        let files: [[UInt8]] = [[], [1, 0, 0, 0, 0, 0, 0], Array(repeating: 0xFF, count: 8), fileBytes("{}").dropLast()]
        for bytes in files { try expectLoadingError(bytes, "truncated") }
    }

    @Test func malformedHeadersThrow() throws {
        let utf16: [UInt8] = [2, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFE]
        let files = [fileBytes("{not json"), fileBytes("[1, 2]"), fileBytes(#"{"__metadata__": {"a": 1}}"#), utf16]
        for bytes in files { try expectLoadingError(bytes, "invalidHeader") }
    }

    @Test func badEntriesThrowNamingTheTensor() throws {
        let malformed = [#"{"x":"F32"}"#, #"{"x":{"shape":[1],"data_offsets":[0,4]}}"#, #"{"x":{"dtype":"F32","data_offsets":[0,4]}}"#,
                         header("x F32 [-1] [0,4]"), header("x F32 [true] [0,4]"), header("x F32 [1] [0,4.5]"),
                         header("x F32 [1] [4,0]"), header("x F32 [1] [0,4,8]")]
        for json in malformed { try expectLoadingError(fileBytes(json, dataCount: 4), "invalidEntry", tensor: "x") }
    }

    @Test func unknownDtypeThrows() throws {
        let file = fileBytes(header("x U8 [1] [0,1]"), dataCount: 1)
        let error = try expectLoadingError(file, "unsupportedDtype", tensor: "x")
        #expect(error?.description.contains("dtype U8 is not supported") == true)
    }

    @Test func readsIntegersAsFloatingPoint() throws {
        // PyTorch's BatchNorm keeps num_batches_tracked as I64: -3 and 7, little-endian, then an I32 5.
        let header = header("n I64 [2] [0,16]", "m I32 [] [16,20]")
        var file = fileBytes(header)
        file += withUnsafeBytes(of: Int64(-3).littleEndian) { Array($0) } + withUnsafeBytes(of: Int64(7).littleEndian) { Array($0) }
        file += withUnsafeBytes(of: Int32(5).littleEndian) { Array($0) }
        let tensors: [String: Tensor<Float>] = try loadBytes(file)
        #expect(tensors["n"] == Tensor([-3, 7]) && tensors["m"] == Tensor(5))
    }

    @Test func wrongOffsetsAndTruncatedDataThrow() throws {
        let sizes = try expectLoadingError(fileBytes(header("x F32 [2] [0,4]"), dataCount: 8), "sizeMismatch", tensor: "x")
        #expect(sizes?.description.contains("shape [2] of F32 needs 8 bytes, but its data_offsets span 4") == true)
        try expectLoadingError(fileBytes(header("x F32 [2] [0,8]"), dataCount: 4), "truncated", tensor: "x")
        let overlap = try expectLoadingError(fileBytes(header("x F32 [2] [0,8]", "y F32 [2] [4,12]"), dataCount: 12),
                                             "overlappingData", tensor: "y")
        #expect(overlap?.description.contains("its data overlaps that of tensor \"x\"") == true)
    }

    @Test func shapesWhoseSizesOverflowThrow() throws {
        // A 0 makes the element count 0, but 2⁶² · 2⁶² overflows before the 0 is reached (and in
        // a tensor's strides, whatever the order): every such shape is refused, as Python's safetensors does.
        let huge = 1 << 62
        for shape in ["[\(huge),\(huge),0]", "[0,\(huge),\(huge)]", "[\(huge),0,\(huge)]", "[\(huge),4]"] {
            let error = try expectLoadingError(fileBytes(header("x F32 \(shape) [0,0]")), "invalidEntry", tensor: "x")
            #expect(error?.description.contains("overflows") == true, "\(String(describing: error))")
        }
        // Large sizes whose product fits, beside a 0, still load as an empty tensor.
        let empty: [String: Tensor<Float>] = try loadBytes(fileBytes(header("x F32 [\(1 << 30),\(1 << 30),0] [0,0]")))
        #expect(empty["x"]?.shape == [1 << 30, 1 << 30, 0] && empty["x"]?.count == 0)
    }

    @Test func noPrefixOrCorruptedByteCrashes() throws {
        let json = #"{"__metadata__":{"k":"v"},"a":{"dtype":"F16","shape":[1,2],"data_offsets":[0,4]},"#
            + #""b":{"dtype":"F64","shape":[1],"data_offsets":[4,12]}}"#
        let valid = fileBytes(json) + Array(0 ..< 12)
        let url = URL(fileURLWithPath: "/fuzz.safetensors")
        func parse(_ bytes: [UInt8]) {
            do { _ = try SafetensorsFile(bytes: Data(bytes), url: url).tensors() as [String: Tensor<Float>] }
            catch { #expect(error is SafetensorsError, "\(error)") }
        }
        for length in 0 ..< valid.count { parse(Array(valid.prefix(length))) }
        for index in 0 ..< 8 + json.utf8.count {
            for byte in Array("\"-9.{}[]e ".utf8) + [0, 0x80, 0xFF] where valid[index] != byte {
                var corrupted = valid
                corrupted[index] = byte
                parse(corrupted)
            }
        }
    }
}

@Suite struct CheckpointAtomicity {
    @Test func savingIntoMissingDirectoryThrowsAndCreatesNothing() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("absent/x.safetensors")
            #expect(throws: SafetensorsError.self) { try saveSafetensors(["x": Tensor<Float>(1)], to: url) }
            let files = try listing(directory)
            #expect(files.isEmpty)
        }
    }

    @Test func failedWritesLeaveTheOldFileIntact() throws {
        struct Interrupted: Error {}
        try withTemporaryFile { url in
            let directory = url.deletingLastPathComponent()
            try saveSafetensors(["x": Tensor<Float>([1, 2, 3])], to: url)
            let original = try Data(contentsOf: url)
            #expect(throws: SafetensorsError.self) {
                try writeAtomically(to: url) { try $0.write(contentsOf: Data([1, 2, 3])); throw Interrupted() }
            }
            #expect(throws: SafetensorsError.self) { try saveSafetensors(["__metadata__": Tensor<Float>(1)], to: url) }
            #expect(try Data(contentsOf: url) == original)
            #expect(try listing(directory) == ["x.safetensors"])
            // Renaming over a non-empty directory fails: the temporary file goes, the directory stays.
            let occupied = directory.appendingPathComponent("occupied")
            try FileManager.default.createDirectory(at: occupied.appendingPathComponent("a"), withIntermediateDirectories: true)
            #expect(throws: SafetensorsError.self) { try saveSafetensors(["x": Tensor<Float>(1)], to: occupied) }
            #expect(try listing(directory) == ["occupied", "x.safetensors"])
        }
    }

    @Test func overwritingLeavesNoTemporaryFiles() throws {
        try withTemporaryFile { url in
            try saveSafetensors(["x": Tensor<Float>([1, 2, 3])], to: url)
            try saveSafetensors(["y": Tensor<Float>(4)], to: url)
            #expect(try loadSafetensors(from: url) == ["y": Tensor<Float>(4)])
            #expect(try listing(url.deletingLastPathComponent()) == ["x.safetensors"])
        }
    }
}

@Suite struct CheckpointModules {
    @Test func moduleRoundTripIsBitExact() throws {
        let saved = makeModel(seed: 1), restored = makeModel(seed: 2)
        #expect(Set(snapshot(saved).keys) == ["0.weight", "0.bias", "1.weight", "1.bias", "2.scale", "2.running_mean"])
        #expect(snapshot(saved).values.allSatisfy { !snapshot(restored).values.contains($0) })
        try withTemporaryFile { url in
            try saved.save(to: url)
            try restored.load(from: url)
        }
        #expect(snapshot(restored) == snapshot(saved))
    }

    @Test func wrongShapeThrowsAndChangesNothing() throws {
        let other = makeModel(outputs: 5, seed: 2)
        let before = snapshot(other)
        try withTemporaryFile { url in
            try makeModel(seed: 1).save(to: url)
            let error = #expect(throws: CheckpointError.self) { try other.load(from: url) }
            #expect(error == .shapeMismatch(url, name: "1.weight", expected: [5, 4], found: [2, 4]))
            #expect(error?.description.hasSuffix("\"1.weight\" has shape [2, 4], but the module's has shape [5, 4]") == true)
        }
        #expect(snapshot(other) == before)
    }

    @Test func strictLoadingNamesMissingAndExtraTensors() throws {
        let saved = makeModel(seed: 1), restored = makeModel(seed: 2)
        let before = snapshot(restored)
        var tensors = stateDict(saved)
        try withTemporaryFile { url in
            tensors["extra"] = Tensor(1)
            try saveSafetensors(tensors, to: url)
            #expect(throws: CheckpointError.unexpectedTensors(url, names: ["extra"])) { try restored.load(from: url) }
            tensors["extra"] = nil
            tensors["1.bias"] = nil
            try saveSafetensors(tensors, to: url)
            #expect(throws: CheckpointError.missingTensors(url, names: ["1.bias"])) { try restored.load(from: url) }
            #expect(snapshot(restored) == before)
            try restored.load(from: url, strict: false)
        }
        var expected = snapshot(saved)
        expected["1.bias"] = before["1.bias"]
        #expect(snapshot(restored) == expected)
    }

    @Test func optimizerStateRoundTrips() throws {
        let model = makeModel(seed: 1), resumed = makeModel(seed: 2)
        let optimizer = momentumSGD(model.parameters()), resumedOptimizer = momentumSGD(resumed.parameters())
        let input = Variable(Tensor<Float>.normal([5, 3], seed: 4))
        func train(_ model: Sequential<Float>, _ optimizer: SGD<Float>) {
            optimizer.zeroGrad(); model(input).sum().backward(); optimizer.step()
        }
        train(model, optimizer)
        train(model, optimizer)
        try withTemporaryFile { url in
            try model.save(to: url, optimizer: optimizer)
            let names: [String: Tensor<Float>] = try loadSafetensors(from: url)
            #expect(names["optimizer.step"] == Tensor(2) && names["optimizer.1.bias.momentum_buffer"]?.shape == [2])
            try makeModel(seed: 3).load(from: url)          // without an optimizer, its state is ignored
            try resumed.load(from: url, optimizer: resumedOptimizer)
        }
        #expect(snapshot(resumed) == snapshot(model))
        #expect(resumedOptimizer.state() == optimizer.state())
        train(model, optimizer)
        train(resumed, resumedOptimizer)
        #expect(snapshot(resumed) == snapshot(model))
    }

    @Test func unfitOptimizerStateChangesNothing() throws {
        let saved = makeModel(seed: 1), restored = makeModel(seed: 2)
        let optimizer = momentumSGD(restored.parameters())
        let before = snapshot(restored)
        var tensors = stateDict(saved)
        try withTemporaryFile { url in
            try saveSafetensors(tensors, to: url)
            #expect(throws: CheckpointError.self) { try restored.load(from: url, optimizer: optimizer) }
            tensors["optimizer.step"] = Tensor(7)
            tensors["optimizer.0.bias.momentum_buffer"] = Tensor([1])
            try saveSafetensors(tensors, to: url)
            let error = #expect(throws: CheckpointError.self) { try restored.load(from: url, optimizer: optimizer) }
            #expect(error?.description.contains("SGD: \"momentum_buffer\" of parameter 1 has shape [1], but it must have shape [4]") == true)
        }
        #expect(snapshot(restored) == before && optimizer.state() == momentumSGD(restored.parameters()).state())
    }
}

@Suite struct CheckpointDocumentation {
    @Test func examplesRun() throws {
        try withTemporaryDirectory { directory in
            // doc: Docs/Checkpoints.md
            let url = directory.appendingPathComponent("tensors.safetensors")
            let tensors = ["weight": Tensor<Float>([[1, 2], [3, 4]]), "scale": Tensor<Float>(0.5)]
            try saveSafetensors(tensors, to: url, metadata: ["source": "example"])
            let loaded: [String: Tensor<Double>] = try loadSafetensors(from: url)  // F32 read as Double
            print(loaded["weight"]!.shape, loaded["scale"]!.scalar)  // [2, 2] 0.5
            // end doc
            #expect(loaded["weight"] == Tensor([[1, 2], [3, 4]]) && loaded["scale"] == Tensor(0.5))

            // doc: Docs/Checkpoints.md
            let model = Sequential<Float>(Linear(inputSize: 3, outputSize: 4), Linear(inputSize: 4, outputSize: 2))
            let checkpoint = directory.appendingPathComponent("model.safetensors")
            try model.save(to: checkpoint)       // 0.weight [4, 3], 0.bias [4], 1.weight [2, 4], 1.bias [2]

            let restored = Sequential<Float>(Linear(inputSize: 3, outputSize: 4), Linear(inputSize: 4, outputSize: 2))
            try restored.load(from: checkpoint)  // every parameter now equals model's, bit for bit
            // end doc
            #expect(snapshot(restored) == snapshot(model))
        }
    }
}

// MARK: - Support

/// `tensors` saved to a file and loaded back as `T`.
func reloaded<S: TensorElement, T: TensorElement>(_ tensors: [String: Tensor<S>]) throws -> [String: Tensor<T>] {
    try withTemporaryFile { url in
        try saveSafetensors(tensors, to: url)
        return try loadSafetensors(from: url)
    }
}

/// Runs `body` with the URL of a file, not yet created, in a new empty directory that is removed afterwards.
@discardableResult
func withTemporaryFile<R>(_ body: (URL) throws -> R) throws -> R {
    try withTemporaryDirectory { try body($0.appendingPathComponent("x.safetensors")) }
}

/// Runs `body` with a new empty directory, removed afterwards.
@discardableResult
func withTemporaryDirectory<R>(_ body: (URL) throws -> R) throws -> R {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("CheckpointTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// The names in `directory`, sorted.
private func listing(_ directory: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
}

/// A safetensors file: the header length, little-endian, then `header`, then `dataCount` zero bytes.
func fileBytes(_ header: String, dataCount: Int = 0) -> [UInt8] {
    let length = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) }
    return length + Array(header.utf8) + Array(repeating: 0, count: dataCount)
}

/// A JSON header of entries written "name dtype shape data_offsets", such as "x F32 [2] [0,8]".
func header(_ entries: String...) -> String {
    let fields = entries.map { $0.split(separator: " ") }.map { #""\#($0[0])":{"dtype":"\#($0[1])","shape":\#($0[2]),"#
        + #""data_offsets":\#($0[3])}"# }
    return "{" + fields.joined(separator: ",") + "}"
}

/// The tensors of a file holding `bytes`.
func loadBytes<S: TensorElement>(_ bytes: [UInt8]) throws -> [String: Tensor<S>] {
    try withTemporaryFile { url in
        try Data(bytes).write(to: url)
        return try loadSafetensors(from: url)
    }
}

/// Expects loading a file holding `bytes` to throw the `SafetensorsError` case `kind`, naming the file and `tensor`.
@discardableResult
private func expectLoadingError(_ bytes: [UInt8], _ kind: String, tensor: String? = nil,
                                sourceLocation: SourceLocation = #_sourceLocation) throws -> SafetensorsError? {
    let error = #expect(throws: SafetensorsError.self, sourceLocation: sourceLocation) {
        let _: [String: Tensor<Float>] = try loadBytes(bytes)
    }
    let message = error?.description ?? ""
    let label = error.flatMap { Mirror(reflecting: $0).children.first?.label }
    #expect(label == kind, "\(message)", sourceLocation: sourceLocation)
    #expect(message.contains("x.safetensors"), "\(message)", sourceLocation: sourceLocation)
    #expect(tensor.map { message.contains("tensor \"\($0)\"") } ?? true, "\(message)", sourceLocation: sourceLocation)
    return error
}

/// Two linear layers, 3 → 4 → `outputs`, then a ``Scaler``, initialised from `seed`.
private func makeModel(outputs: Int = 2, seed: UInt64) -> Sequential<Float> {
    withRandomSeed(seed) {
        Sequential(Linear(inputSize: 3, outputSize: 4), Linear(inputSize: 4, outputSize: outputs), Scaler(size: outputs))
    }
}

/// Every parameter and buffer of `model`, by name, like PyTorch's `state_dict()`.
func stateDict<M: Module>(_ model: M) -> [String: Tensor<M.Scalar>] {
    let parameters = model.namedParameters().map { ($0.name, $0.parameter.value) }
    return Dictionary(uniqueKeysWithValues: parameters + model.namedBuffers().map { ($0.name, $0.buffer.value) })
}

/// The bytes of every parameter and buffer, by name: equal only if the values are equal bit for bit.
func snapshot<M: Module>(_ model: M) -> [String: Data] {
    stateDict(model).mapValues { littleEndianBytes($0.scalars) }
}

/// A layer with a parameter and a buffer, `(input − runningMean) · scale`, drawn from ``RandomScope``.
private struct Scaler: Layer {
    let scale = Variable(Initializer<Float>.normal(mean: 1, standardDeviation: 1).makeTensor([]), requiresGrad: true)
    let runningMean: Buffer<Float>
    init(size: Int) { runningMean = Buffer(Initializer.normal(mean: 0, standardDeviation: 1).makeTensor([size])) }
    func callAsFunction(_ input: Variable<Float>) -> Variable<Float> { (input - Variable(runningMean.value)) * scale }
}

/// SGD with momentum, whose state is one `momentum_buffer` per parameter.
private func momentumSGD(_ parameters: [Variable<Float>]) -> SGD<Float> {
    SGD(parameters: parameters, learningRate: 0.1, momentum: 0.9)
}
