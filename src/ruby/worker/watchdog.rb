# frozen_string_literal: true

module MotiaLikeWorker
  # One thread that interrupts handlers running past their deadline with MotiaLike::HandlerTimeout.
  class Watchdog
    def initialize
      @lock = Mutex.new
      @wake = ConditionVariable.new
      @deadlines = {}
      @thread = nil
    end

    def watch(thread, timeout_ms)
      @lock.synchronize do
        @deadlines[thread] = [now + (timeout_ms / 1000.0), timeout_ms]
        @thread ||= Thread.new { run }
        @wake.signal
      end
    end

    # After this returns, the thread is never interrupted for its deadline.
    def release(thread)
      @lock.synchronize { @deadlines.delete(thread) }
    end

    private

    def now = Process.clock_gettime(Process::CLOCK_MONOTONIC)

    def run
      @lock.synchronize do
        loop do
          next @wake.wait(@lock) if @deadlines.empty?

          thread, (deadline, timeout_ms) = @deadlines.min_by { |_, (at, _)| at }
          wait = deadline - now
          next @wake.wait(@lock, wait) if wait.positive?

          @deadlines.delete(thread)
          message = "The handler did not finish within #{timeout_ms / 1000.0} s and was interrupted."
          thread.raise(MotiaLike::HandlerTimeout, message) if thread.alive?
        end
      end
    end
  end
end
