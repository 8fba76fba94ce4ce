// The Dashboard's figures read from the relay (the customers' ratings); the live chats come from the sessions slice.
import { createSlice } from '@reduxjs/toolkit';
import type { RatingFigures } from '../../common/domain';
import { eventReceived, ratingFiguresLoaded } from './actions';
import type { RootState } from './root';

export interface DashboardSliceState {
  ratings: RatingFigures | null;
}

const initialState: DashboardSliceState = { ratings: null };

const slice = createSlice({
  name: 'dashboard',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(ratingFiguresLoaded, (s, { payload }) => {
        s.ratings = payload;
      })
      .addCase(eventReceived, (s, { payload: event }) => (event.type === 'signed-out' ? { ...initialState } : s));
  },
});

export const dashboardReducer = slice.reducer;
export const selectRatingFigures = (state: RootState): RatingFigures | null => state.dashboard.ratings;
