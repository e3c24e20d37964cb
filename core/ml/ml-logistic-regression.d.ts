// ml-logistic-regression 2.0.0 ships no types. This covers what trainers/ml-logistic-regression.ts
// uses: the one-vs-all model, its `load` (which builds the per-class two-class trainers) and the
// two-class trainer's `train`/`weights`.
declare module 'ml-logistic-regression' {
  import type { Matrix } from 'ml-matrix';

  export interface TwoClassModel {
    numSteps: number;
    learningRate: number;
    weights: Matrix | null;
    /** Full-batch gradient ascent from zero weights; `target` is a column of 0/1. */
    train(features: Matrix, target: Matrix): void;
    testScores(features: Matrix): number[];
  }

  export interface LogisticRegressionJSON {
    name: 'LogisticRegression';
    numSteps: number;
    learningRate: number;
    numberClasses: number;
    classifiers: { numSteps: number; learningRate: number; weights: number[][] | null }[];
  }

  export default class LogisticRegression {
    constructor(options?: { numSteps?: number; learningRate?: number });
    numSteps: number;
    learningRate: number;
    numberClasses: number;
    classifiers: TwoClassModel[];
    /** Y: column vector of class indices 0..K-1. Class i's model scores "not class i". */
    train(X: Matrix, Y: Matrix): void;
    predict(X: Matrix): number[];
    toJSON(): LogisticRegressionJSON;
    static load(model: LogisticRegressionJSON): LogisticRegression;
  }
}
