"""The gcmdash dashboard: queries (the only SQL), pure charts and tables, thin Streamlit pages."""
