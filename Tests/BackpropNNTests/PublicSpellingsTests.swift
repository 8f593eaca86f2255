import Foundation
import Testing
import Backprop
import BackpropNN

/// The spellings that issue 13 fixes for code outside the project, each written exactly as given
/// there (with `S` = Double), so that a rename breaks this file before it breaks a user's.
@Suite struct PublicSpellings {
    @Test func layersTakeTheirFixedLabels() {
        let conv1d = Conv1d<Double>(inputChannels: 2, outputChannels: 4, kernelSize: 3, stride: 1, padding: 1, dilation: 1,
                                    groups: 2, bias: true)
        let conv2d = Conv2d<Double>(inputChannels: 2, outputChannels: 4, kernelSize: 3, stride: 2, padding: 1, dilation: 1,
                                    groups: 1, bias: false)
        let rectangular = Conv2d<Double>(inputChannels: 2, outputChannels: 2, kernelSize: (1, 3), stride: (1, 2),
                                         padding: (0, 1), dilation: (1, 1), groups: 2, bias: true)
        let transposed = ConvTranspose2d<Double>(inputChannels: 4, outputChannels: 2, kernelSize: 3, stride: 2, padding: 1,
                                                 outputPadding: 1, bias: true)
        #expect(conv1d(Variable(.zeros([1, 2, 5]))).shape == [1, 4, 5])
        #expect(transposed(conv2d(Variable(.zeros([1, 2, 6, 6])))).shape == [1, 2, 6, 6])
        #expect(rectangular(Variable(.zeros([1, 2, 4, 6]))).shape == [1, 2, 4, 3])
        #expect(GroupNorm<Double>(groupCount: 2, channelCount: 4, epsilon: 1e-5).weight.shape == [4])
        #expect(RMSNorm<Double>(featureCount: 3, epsilon: 1e-6).weight.shape == [3])
        #expect(SiLU<Double>()(Variable(Tensor([0]))).value == Tensor([0]))
        #expect(GELU<Double>(approximation: .tanh)(Variable(Tensor([0]))).value == Tensor([0]))
        let layer = TransformerEncoderLayer<Double>(modelSize: 4, headCount: 2, feedForwardSize: 8, dropout: 0, normFirst: true)
        let padding = Tensor<Bool>(shape: [1, 3], scalars: [false, false, true])
        #expect(layer(Variable(.ones([1, 3, 4])), mask: .causal, keyPaddingMask: padding).shape == [1, 3, 4])
        #expect(layer.stateDictionary().keys.contains("self_attn.in_proj_weight"))
    }

    @Test func lossesTakeTheirFixedLabels() {
        let logits = Variable(Tensor<Double>([[0, 0], [0, 0]]))
        let loss = crossEntropy(logits: logits, labels: Tensor<Int>([0, 1]), weights: nil, ignoreIndex: nil, labelSmoothing: 0,
                                reduction: .mean)
        expectClose(loss.scalar, Foundation.log(2.0))
        let divergence = klDivergence(logProbabilities: Variable(Tensor([[-Foundation.log(2.0), -Foundation.log(2.0)]])),
                                      targets: Variable(Tensor([[0.5, 0.5]])), reduction: .batchMean)
        expectClose(divergence.scalar, 0)
    }

    @Test func optimizersAndSchedulesTakeTheirFixedLabels() {
        let (weight, bias) = (Variable(Tensor<Double>([1]), requiresGrad: true), Variable(Tensor<Double>([1]), requiresGrad: true))
        let optimizer = AdamW(groups: [ParameterGroup(parameters: [weight], learningRate: nil, weightDecay: 0.01),
                                       ParameterGroup(parameters: [bias], learningRate: 0.1, weightDecay: 0)],
                              learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01)
        #expect(optimizer.groups.map(\.learningRate) == [0.01, 0.1])
        let warmup = LinearWarmup(optimizer: optimizer, warmupSteps: 2)
        let cycle = OneCycleLR(optimizer: optimizer, maximumLearningRate: 0.1, totalSteps: 10)
        _ = SequentialLR(optimizer: optimizer, schedules: [warmup, cycle], milestones: [2])
        let x = Variable(Tensor<Double>([3]), requiresGrad: true)
        let lbfgs = LBFGS(parameters: [x], learningRate: 1, historySize: 10, strongWolfe: true)
        let loss = lbfgs.step { () -> Variable<Double> in
            lbfgs.zeroGrad()
            let value = (x * x).sum()
            value.backward()
            return value
        }
        #expect(loss.scalar == 9)                     // the loss before the step, as PyTorch returns it
        #expect(abs(x.value.scalar) < 1e-6)
    }
}
