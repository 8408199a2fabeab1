import Testing
@testable import Transport

@Suite struct LogBudgetTests {
    @Test func aBurstPassesThenTheRateHoldsAndTheWithheldAreCounted() {
        var budget = LogBudget(burst: 5, perSecond: 2)
        let admitted = (0..<100).compactMap { _ in budget.admit(now: 1_000) }
        #expect(admitted == [0, 0, 0, 0, 0])
        // Half a second later one token has come back; the line carries the 95 held back.
        #expect(budget.admit(now: 1_000 + 500_000_000) == 95)
        #expect(budget.admit(now: 1_000 + 500_000_000) == nil)
        // A long quiet spell refills to the burst, no further.
        let later: UInt64 = 3_600_000_000_000
        #expect((0..<10).compactMap { _ in budget.admit(now: later) }.count == 5)
    }

    @Test func aClockThatGoesBackGrantsNothingExtra() {
        var budget = LogBudget(burst: 1, perSecond: 1)
        #expect(budget.admit(now: 10_000_000_000) == 0)
        #expect(budget.admit(now: 1_000_000_000) == nil)
        #expect(budget.admit(now: 10_500_000_000) == nil)
        #expect(budget.admit(now: 11_000_000_000) == 2)
    }
}
