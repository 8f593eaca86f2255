import Testing
@testable import BackpropPlot

/// A progress bar on a fake clock, collecting what it writes.
private final class Harness {
    var now = 0.0
    var written: [String] = []
    var output: String { written.joined() }

    var columns = 0

    func bar(epochs: Int, batches: Int, metric: String? = "accuracy", terminal: Bool) -> ProgressBar {
        ProgressBar(epochs: epochs, batchesPerEpoch: batches, metricName: metric,
                    output: { [unowned self] in written.append($0) }, isTerminal: terminal,
                    terminalColumns: { [unowned self] in columns }, clock: { [unowned self] in now })
    }
}

@Suite struct ProgressBarOutput {
    @Test func plainOutputIsOneLinePerEpochWithoutEscapes() {
        let harness = Harness()
        let bar = harness.bar(epochs: 3, batches: 4, terminal: false)
        for epoch in 1...3 {
            for batch in 1...4 {
                harness.now += 0.5
                bar.update(epoch: epoch, batch: batch, loss: 1, metric: 0.5, samples: 1000)
            }
            bar.finishEpoch(epoch: epoch, loss: 0.3124, metric: 0.9512, note: epoch == 3 ? "saved" : "")
        }
        #expect(harness.written.count == 3)
        #expect(!harness.output.contains("\u{1B}") && !harness.output.contains("\r"))
        let lines = harness.output.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4 && lines.last == "")
        #expect(lines[0] == "epoch 1/3  loss 0.3124  accuracy 0.9512  2,000 samples/s  2.0 s")
        #expect(lines[2] == "epoch 3/3  loss 0.3124  accuracy 0.9512  2,000 samples/s  2.0 s  saved")
    }

    @Test func terminalRedrawsInPlaceWithRateAndETA() {
        let harness = Harness()
        let bar = harness.bar(epochs: 3, batches: 4, terminal: true)
        harness.now = 0.5
        bar.update(epoch: 1, batch: 1, loss: 1.0, metric: 0.5, samples: 1000)
        harness.now = 1.0
        bar.update(epoch: 1, batch: 2, loss: 0.5, metric: 1.0, samples: 1000)
        #expect(harness.written.count == 2)
        let second = harness.written[1]
        #expect(second.hasPrefix("\r\u{1B}[2K"))
        // 2,000 samples in 1 s; 2 of 12 batches in 1 s leaves 10 × 0.5 s.
        #expect(second == "\r\u{1B}[2Kepoch 1/3 [############............] 2/4  loss 0.7500  accuracy 0.7500"
                    + "  2000 samples/s  ETA 0:05")
        harness.now = 2.0
        bar.finishEpoch(epoch: 1, loss: 0.25, metric: 0.8, note: "best")
        #expect(harness.written.last == "\r\u{1B}[2Kepoch 1/3 [########################] 4/4  loss 0.2500"
                    + "  accuracy 0.8000  1000 samples/s  2.0 s  best\n")
        // The next epoch's rate counts from the end of the last one.
        harness.now = 2.25
        bar.update(epoch: 2, batch: 1, loss: 0.2, samples: 500)
        #expect(harness.written.last?.contains("2000 samples/s") == true)
        // 3 batches in 2.25 s: 9 left at 0.75 s each.
        #expect(harness.written.last?.hasSuffix("ETA 0:07") == true)   // 6.75 s, rounded
    }

    @Test func terminalLinesFitANarrowTerminal() {
        let harness = Harness()
        harness.columns = 70
        let bar = harness.bar(epochs: 3, batches: 4, terminal: true)
        harness.now = 1
        bar.update(epoch: 1, batch: 2, loss: 0.5, metric: 1, samples: 100)
        // Too wide with the bar, which goes; one batch took 1 s and 11 are left.
        #expect(harness.written.last == "\r\u{1B}[2Kepoch 1/3 2/4  loss 0.5000  accuracy 1.0000  100 samples/s  ETA 0:11")
        harness.columns = 82
        harness.now = 1.5
        bar.update(epoch: 1, batch: 3, loss: 0.5, metric: 1, samples: 100)
        #expect(harness.written.last == "\r\u{1B}[2Kepoch 1/3 [#######...] 3/4  loss 0.5000  accuracy 1.0000  133 samples/s  ETA 0:08")
        harness.columns = 30
        harness.now = 2
        bar.finishEpoch(epoch: 1, loss: 0.5)
        #expect(harness.written.last == "\r\u{1B}[2Kepoch 1/3 4/4  loss 0.5000  a\n")
    }

    @Test func terminalRedrawsAreThrottledButTheLastBatchIsAlwaysShown() {
        let harness = Harness()
        let bar = harness.bar(epochs: 1, batches: 100, metric: nil, terminal: true)
        for batch in 1...100 {
            harness.now += 0.01          // 100 batches a second
            bar.update(epoch: 1, batch: batch, loss: 0.1, samples: 8)
        }
        // Drawn at batch 1, then once per 0.1 s (every 10th batch), and at batch 100.
        #expect(harness.written.count == 11)
        #expect(harness.written.last?.contains(" 100/100 ") == true)
        #expect(harness.written.last?.contains("ETA 0:00") == true)
        #expect(!harness.output.contains("metric"))
    }

    @Test func countsFromZeroAreRecognised() {
        let harness = Harness()
        let bar = harness.bar(epochs: 2, batches: 2, metric: nil, terminal: false)
        bar.update(epoch: 0, batch: 0, loss: 1, samples: 1)
        bar.update(epoch: 0, batch: 1, loss: 1, samples: 1)
        bar.finishEpoch(epoch: 0, loss: 1, metric: 0.5)
        #expect(harness.output.hasPrefix("epoch 1/2  loss 1.0000  metric 0.5000"))
    }

    @Test func anEpochWithoutAFinalMetricShowsTheMeanOfItsBatches() {
        let harness = Harness()
        let bar = harness.bar(epochs: 1, batches: 2, terminal: false)
        bar.update(epoch: 1, batch: 1, loss: 1, metric: 0.5, samples: 30)
        bar.update(epoch: 1, batch: 2, loss: 1, metric: 1.0, samples: 10)
        harness.now = 4
        bar.finishEpoch(epoch: 1, loss: 0.9)
        #expect(harness.output == "epoch 1/1  loss 0.9000  accuracy 0.6250  10 samples/s  4.0 s\n")
    }

    @Test func numberFormats() {
        #expect(ProgressBar.clockTime(3725) == "1:02:05")
        #expect(ProgressBar.clockTime(72) == "1:12")
        #expect(ProgressBar.duration(2.14) == "2.1 s")
        #expect(ProgressBar.duration(75) == "1:15")
        #expect(ProgressBar.throughput(1_234_567.4, grouped: true) == "1,234,567 samples/s")
        #expect(ProgressBar.throughput(999, grouped: true) == "999 samples/s")
        #expect(ProgressBar.throughput(.infinity, grouped: true) == "- samples/s")
        #expect(ProgressBar.decimal(.nan) == "nan")
        #expect(ProgressBar.decimal(0.00001234) == "1.234e-5")
        #expect(ProgressBar.decimal(123_456) == "1.235e5")
        #expect(ProgressBar.decimal(0) == "0.0000")
        #expect(ProgressBar.duration(0.0123) == "12 ms")
        #expect(ProgressBar.duration(59.97) == "1:00")
    }
}
