// cubic-fit: fits y = a·x³ + b·x² + c·x + d to noisy points by plain gradient
// descent, with nothing but core ops. It teaches the basic loop: build the
// loss from Variables, call backward(), step each parameter against its
// gradient, clear the gradients, repeat.

import Backprop
import Foundation

// Noisy samples of y = 0.5x³ − x² − 2x + 1 on [−2, 2].
var generator = SeededGenerator(seed: 7)
let x = Tensor<Double>.uniform([200, 1], low: -2, high: 2, using: &generator)
let noise = Tensor<Double>.normal([200, 1], standardDeviation: 0.1, using: &generator)
let y = pow(x, 3) * 0.5 - pow(x, 2) - x * 2 + 1 + noise

// The features x³, x², x as one [200, 3] input; the model is features · w + d.
let features = Variable(Tensor.concatenated([pow(x, 3), pow(x, 2), x], axis: 1))
let targets = Variable(y)
let weights = Variable(Tensor<Double>.zeros([3, 1]), requiresGrad: true)
let intercept = Variable(Tensor<Double>.zeros([1]), requiresGrad: true)

let learningRate = 0.02
for step in 0...2000 {
    let predicted = matmul(features, weights) + intercept
    let loss = pow(predicted - targets, 2).mean()
    loss.backward()
    for parameter in [weights, intercept] {
        parameter.value -= parameter.grad! * learningRate
        parameter.zeroGrad()
    }
    if step % 250 == 0 {
        print(String(format: "step %4d   loss %.6f", step, loss.scalar))
    }
}

let w = weights.value.scalars, d = intercept.value.scalars[0]
print(String(format: "fitted  y = %+.3fx³ %+.3fx² %+.3fx %+.3f", w[0], w[1], w[2], d))
print("truth   y = +0.500x³ -1.000x² -2.000x +1.000")
