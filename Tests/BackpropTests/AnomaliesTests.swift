import Backprop
import Foundation
import Testing

/// `detectingAnomalies` names the first op that made a NaN or an infinity, and this file's own line.
@Suite struct AnomaliesTests {
    let thisFile = #filePath

    /// The anomaly `body` throws, run outside a macro so that its closures keep this file's lines.
    func anomaly(in body: () throws -> Void) throws -> NumericalAnomaly {
        do {
            try detectingAnomalies(body)
        } catch let anomaly as NumericalAnomaly {
            return anomaly
        }
        throw NoAnomaly()
    }

    struct NoAnomaly: Error {}

    @Test func aForwardAnomalyNamesTheOpTheShapesAndThisLine() throws {
        let x = Variable(Tensor<Double>([[1, 2, -3], [4, 5, 6]]), requiresGrad: true)
        var line = 0
        let anomaly = try anomaly {
            let scaled = x * 2
            line = #line + 1
            let logarithm = log(scaled)
            let total = (logarithm * logarithm).sum()     // NaN too, but later: only the first is reported
            total.backward()
        }
        #expect(anomaly.op == "log")
        #expect(anomaly.phase == .forward)
        #expect(anomaly.inputShapes == [[2, 3]])
        #expect(anomaly.outputShape == [2, 3])
        #expect(anomaly.file == thisFile)
        #expect(anomaly.line == line)
        #expect(anomaly.description.contains("'log'"))
        #expect(anomaly.description.contains("forward"))
        #expect(anomaly.description.contains("\(thisFile):\(line)"))
    }

    @Test func aBackwardAnomalyNamesWhereTheOpWasRecordedAndWhereBackwardWasCalled() throws {
        // √x is finite at 0, its derivative 1/(2√x) is not.
        let x = Variable(Tensor<Double>([0, 1, 4]), requiresGrad: true)
        var (recordLine, backwardLine) = (0, 0)
        let anomaly = try anomaly {
            recordLine = #line + 1
            let root = sqrt(x)
            let total = (root * 3).sum()
            backwardLine = #line + 1
            total.backward()
        }
        #expect(anomaly.op == "sqrt")
        #expect(anomaly.phase == .backward)
        #expect(anomaly.input == 0)
        #expect(anomaly.inputShapes == [[3]])
        #expect(anomaly.file == thisFile)
        #expect(anomaly.line == recordLine)
        #expect(anomaly.backwardCall?.file == thisFile)
        #expect(anomaly.backwardCall?.line == backwardLine)
        #expect(anomaly.description.contains("backward pass called at \(thisFile):\(backwardLine)"))
        #expect(anomaly.description.contains("recorded at \(thisFile):\(recordLine)"))
    }

    @Test func scalarGraphsAreCheckedToo() throws {
        // A one-element graph normally takes the sweep's fast path on numbers; inside the scope it does not.
        let x = Variable(0.0, requiresGrad: true)
        let anomaly = try anomaly { (sqrt(x) + x).backward() }
        #expect(anomaly.op == "sqrt")
        #expect(anomaly.phase == .backward)
        #expect(x.grad?.scalar == .infinity)
    }

    @Test func aFiniteRunReturnsItsResultAndTheGradientsAreUnchanged() throws {
        let x = Variable(Tensor<Double>([0.5, 2]), requiresGrad: true)
        let value = try detectingAnomalies { () -> Double in
            let y = (log(x) * x).sum()
            y.backward()
            return y.scalar
        }
        #expect(abs(value - (0.5 * log(0.5) + 2 * log(2.0))) < 1e-15)
        let expected: [Double] = [log(0.5) + 1, log(2.0) + 1]
        #expect(x.grad?.scalars == expected)
    }

    @Test func theBodysOwnErrorPassesThrough() {
        struct Stop: Error, Equatable {}
        #expect(throws: Stop()) { try detectingAnomalies { throw Stop() } }
    }

    @Test func outsideTheScopeNothingIsChecked() throws {
        let x = Variable(Tensor<Double>([-1]), requiresGrad: true)
        try detectingAnomalies {}
        let y = log(x).sum()
        y.backward()
        #expect(y.scalar.isNaN)
    }
}
