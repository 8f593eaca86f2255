import Backprop
import Foundation
import Testing
@testable import BackpropNN

@Suite struct DataLoading {
    private let dataset = TensorDataset<Float>(inputs: Tensor(shape: [10, 2], scalars: (0..<20).map(Float.init)),
                                               labels: Array(0..<10))

    @Test func tensorDatasetBatchesRows() {
        let batch = dataset.batch(at: [3, 0, 3])
        #expect(batch.inputs == Tensor([[6, 7], [0, 1], [6, 7]]))
        #expect(batch.labels == [3, 0, 3])
    }

    @Test func loaderCoversEveryExampleOncePerPass() {
        let loader = DataLoader(dataset, batchSize: 4, shuffle: true, seed: 1)
        #expect(loader.batchCount == 3)
        let first = loader.map(\.labels)
        #expect(first.map(\.count) == [4, 4, 2])
        #expect(first.flatMap { $0 }.sorted() == Array(0..<10))
        let second = loader.map(\.labels)
        #expect(second.flatMap { $0 }.sorted() == Array(0..<10))
        #expect(first != second)                                   // a new order each pass
        let again = DataLoader(dataset, batchSize: 4, shuffle: true, seed: 1)
        #expect(again.map(\.labels) == first && again.map(\.labels) == second)   // a seed reproduces every pass
    }

    @Test func shuffleStateReplaysTheNextPasses() {
        let loader = DataLoader(dataset, batchSize: 4, shuffle: true, seed: 1)
        _ = loader.map(\.labels)
        let saved = loader.shuffleState
        let next = (loader.map(\.labels), loader.map(\.labels))
        let other = DataLoader(dataset, batchSize: 4, shuffle: true, seed: 2)
        #expect(other.shuffleState != saved)
        other.shuffleState = saved
        #expect(other.map(\.labels) == next.0 && other.map(\.labels) == next.1)
    }

    @Test func loaderKeepsOrderAndDropsTheLastPartialBatch() {
        let loader = DataLoader(dataset, batchSize: 4, dropLast: true)
        #expect(loader.map(\.labels) == [[0, 1, 2, 3], [4, 5, 6, 7]])
    }

    @Test func splitIsSeededAndDisjoint() {
        let (training, validation) = dataset.split(validationFraction: 0.3, seed: 4)
        #expect(training.count == 7 && validation.count == 3)
        #expect(Set(training.indices).isDisjoint(with: validation.indices))
        #expect(Set(training.indices + validation.indices) == Set(0..<10))
        #expect(dataset.split(validationFraction: 0.3, seed: 4).validation.indices == validation.indices)
        #expect(validation.batch(at: [0]).labels == [validation.indices[0]])
    }

    @Test func shardsSplitEachGlobalBatchByRank() {
        // 10 examples, 3 ranks, 2 each: global batches of 6 and then 4, whose ranks take
        // positions r, r + 3, … of it: sizes 2, 2, 2 and then 2, 1, 1.
        let shards = (0..<3).map { DataLoader(dataset, batchSize: 2, shuffle: true, seed: 9, shard: DataShard(index: $0, count: 3)) }
        #expect(shards.map(\.batchCount) == [2, 2, 2])
        let whole = DataLoader(dataset, batchSize: 6, shuffle: true, seed: 9)
        for _ in 0..<2 {    // two passes, each a new order on every rank
            let parts = shards.map { $0.map(\.labels) }
            let global = whole.map(\.labels)
            #expect(parts.map { $0.map(\.count) } == [[2, 2], [2, 1], [2, 1]])
            for (index, batch) in global.enumerated() {
                #expect(parts.flatMap { $0[index] }.sorted() == batch.sorted())
                #expect(parts[1][index] == stride(from: 1, to: batch.count, by: 3).map { batch[$0] })
            }
        }
    }

    @Test func aShardLeavesOutALastBatchTooSmallForEveryRank() {
        // 10 examples, 4 ranks of 2: one global batch of 8, then 2 examples for 4 ranks, left out.
        let loader = DataLoader(dataset, batchSize: 2, shard: DataShard(index: 3, count: 4))
        #expect(loader.batchCount == 1)
        #expect(loader.map(\.labels) == [[3, 7]])
        let kept = DataLoader(dataset, batchSize: 3, shard: DataShard(index: 1, count: 3))   // 9, then 1 < 3
        #expect(kept.map(\.labels) == [[1, 4, 7]])
        let dropped = DataLoader(dataset, batchSize: 1, dropLast: true, shard: DataShard(index: 0, count: 3))
        #expect(dropped.map(\.labels) == [[0], [3], [6]])
    }
}
