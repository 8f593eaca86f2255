import Backprop
import Foundation
import Testing
@testable import BackpropNN

/// Integer and boolean tensors in safetensors files: I64 and BOOL, as PyTorch writes them.
@Suite struct CheckpointElements {
    @Test func integerAndBooleanTensorsRoundTrip() throws {
        let ids: [String: Tensor<Int>] = ["ids": Tensor(shape: [2, 2], scalars: [0, -1, .max, .min]), "none": .zeros([0])]
        #expect(try reloaded(ids) == ids)
        let masks: [String: Tensor<Bool>] = ["mask": Tensor(shape: [3], scalars: [true, false, true])]
        #expect(try reloaded(masks) == masks)
        // Masks load as 0 and 1 into numbers; integers into floating point.
        #expect(try reloaded(masks) == ["mask": Tensor<Int>([1, 0, 1])])
        #expect(try reloaded(masks) == ["mask": Tensor<Float>([1, 0, 1])])
        #expect(try reloaded(["ids": Tensor<Int>([3, -4])]) == ["ids": Tensor<Double>([3, -4])])
    }

    @Test func writesI64AndBOOLHeaders() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("elements-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try saveSafetensors(["m": Tensor<Bool>([true, false])], to: url)
        let bytes = try Data(contentsOf: url)
        let text = String(decoding: bytes.dropFirst(8), as: UTF8.self)
        #expect(text.contains(#""dtype":"BOOL""#) && text.contains(#""data_offsets":[0,2]"#))
        #expect(Array(bytes.suffix(2)) == [1, 0])
        try saveSafetensors(["i": Tensor<Int>([5])], to: url)
        #expect(String(decoding: try Data(contentsOf: url).dropFirst(8), as: UTF8.self).contains(#""dtype":"I64""#))
    }

    @Test func readsHandBuiltBooleanFile() throws {
        let file = fileBytes(header("m BOOL [2,2] [0,4]")) + [1, 0, 0, 7]
        let masks: [String: Tensor<Bool>] = try loadBytes(file)
        #expect(masks["m"] == Tensor(shape: [2, 2], scalars: [true, false, false, true]))
    }

    @Test func floatingPointDoesNotLoadIntoIntegers() throws {
        let error = #expect(throws: SafetensorsError.self) {
            let _: [String: Tensor<Int>] = try reloaded(["w": Tensor<Float>([1.5, .nan])])
        }
        #expect(error?.description.contains(#"tensor "w": its F32 elements do not load into a tensor of Int"#) == true)
        #expect(throws: SafetensorsError.self) {
            let _: [String: Tensor<Bool>] = try reloaded(["i": Tensor<Int>([1])])
        }
    }
}
