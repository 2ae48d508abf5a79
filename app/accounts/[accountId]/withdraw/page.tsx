import { actionPage } from '../action-page';

const page = actionPage('Withdraw');
export const generateMetadata = page.generateMetadata;
export default page.ActionPage;
